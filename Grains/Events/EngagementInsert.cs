using Npgsql;
using NpgsqlTypes;
using Tracking.Contracts;

namespace Tracking.Grains.Events;

/// <summary>
/// The group commit's insert of opens and clicks: those of emails the directory knows, with their project, and
/// the others joined with their email's row. What of a recipient is kept is each project's choice
/// (<c>projects.ip_storage</c>, <c>keep_user_agent</c>, <c>keep_referer</c>), applied after the events were
/// classified: for known emails from the silo's <see cref="ProjectPrivacy"/>, for the others by the statement,
/// which joins their project.
/// </summary>
static class EngagementInsert
{
    /// <param name="trapDestination">Where the hidden trap link leads: a click on it is a link scanner's.</param>
    public static NpgsqlBatchCommand Command(string defaultIpStorage, string trapDestination,
        List<(Engagement Event, Guid ProjectId, string? Link, KeptData Kept)> known, List<Engagement> unknown)
    {
        var insert = new NpgsqlBatchCommand($"""
            INSERT INTO email_events (id, email_id, project_id, type, created_at, ip_address, user_agent, referer, link,
                                      client_name, client_os, client_device, machine)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[],
                                 $19::text[], $20::text[], $21::text[], $22::text[])
            UNION ALL
            SELECT n.id, n.email_id, e.project_id, n.type, n.created_at, {KeptAddress("n", defaultIpStorage)}, {Kept("n")},
                   coalesce(n.link, e.links[n.link_index + 1]), n.client_name, n.client_os, n.client_device,
                   CASE WHEN coalesce(n.link, e.links[n.link_index + 1]) = $28 THEN '{MachineReasons.LinkScanner}' ELSE n.machine END
            FROM unnest($10::uuid[], $11::uuid[], $12::text[], $13::timestamptz[], $14::text[], $15::text[], $16::text[], $17::text[], $18::int[],
                        $23::text[], $24::text[], $25::text[], $26::text[], $27::text[])
                 AS n (id, email_id, type, created_at, ip_address, user_agent, referer, link, link_index, client_name, client_os, client_device,
                       machine, ip_network)
            JOIN emails e ON e.id = n.email_id
            JOIN projects p ON p.id = e.project_id
            WHERE CASE n.type WHEN '{EventTypes.Opened}' THEN e.track_open
                              ELSE coalesce(n.link, e.links[n.link_index + 1]) IS NOT NULL END
            RETURNING id, project_id, link
            """);
        var p = insert.Parameters;
        p.Add(new() { Value = known.Select(k => k.Event.Id).ToArray() });
        p.Add(new() { Value = known.Select(k => k.Event.EmailId).ToArray() });
        p.Add(new() { Value = known.Select(k => k.ProjectId).ToArray() });
        p.Add(Texts(known.Select(k => k.Event.Type)));
        p.Add(new() { Value = known.Select(k => k.Event.CreatedAt.ToUniversalTime()).ToArray() });
        // Kept as the project says, as the unknown ones are kept by the statement.
        p.Add(Texts(known.Select(k => k.Kept.Address(k.Event.IpAddress))));
        p.Add(Texts(known.Select(k => k.Kept.UserAgent ? k.Event.UserAgent : null)));
        p.Add(Texts(known.Select(k => k.Kept.Referer ? k.Event.Referer : null)));
        p.Add(Texts(known.Select(k => k.Link)));
        p.Add(new() { Value = unknown.Select(e => e.Id).ToArray() });
        p.Add(new() { Value = unknown.Select(e => e.EmailId).ToArray() });
        p.Add(Texts(unknown.Select(e => e.Type)));
        p.Add(new() { Value = unknown.Select(e => e.CreatedAt.ToUniversalTime()).ToArray() });
        p.Add(Texts(unknown.Select(e => e.IpAddress)));
        p.Add(Texts(unknown.Select(e => e.UserAgent)));
        p.Add(Texts(unknown.Select(e => e.Referer)));
        p.Add(Texts(unknown.Select(e => e.Link)));
        p.Add(new() { Value = unknown.Select(e => e.LinkIndex).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        AddVerdicts(p, known.Select(k => k.Link == trapDestination ? k.Event with { Machine = MachineReasons.LinkScanner } : k.Event));
        AddVerdicts(p, unknown);
        p.Add(Texts(unknown.Select(e => IpAddressPolicy.Truncated(e.IpAddress))));
        p.Add(new() { Value = trapDestination });
        return insert;
    }

    // The address a project keeps of a row of the given alias: all of it, its network, or none.
    static string KeptAddress(string row, string defaultStorage) => $"""
        CASE coalesce(p.ip_storage, '{defaultStorage}') WHEN '{IpStorage.Full}' THEN {row}.ip_address
                                                       WHEN '{IpStorage.Truncated}' THEN {row}.ip_network END
        """;

    // The user agent and referer a project keeps of a row of the given alias.
    static string Kept(string row) =>
        $"CASE WHEN p.keep_user_agent THEN {row}.user_agent END, CASE WHEN p.keep_referer THEN {row}.referer END";

    static void AddVerdicts(NpgsqlParameterCollection p, IEnumerable<Engagement> events)
    {
        var list = events as IReadOnlyCollection<Engagement> ?? events.ToList();
        p.Add(Texts(list.Select(e => e.Client.Name)));
        p.Add(Texts(list.Select(e => e.Client.Os)));
        p.Add(Texts(list.Select(e => e.Client.Device)));
        p.Add(Texts(list.Select(e => e.Machine)));
    }

    static NpgsqlParameter Texts(IEnumerable<string?> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
}
