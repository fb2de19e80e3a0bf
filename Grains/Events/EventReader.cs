using System.Text.Json;
using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Events;

/// <summary>An event as the metrics fold it in, with what the fold needs to know about its email.</summary>
public sealed record MetricEvent
{
    public required long Seq { get; init; }
    public Guid Id { get; init; }
    public Guid EmailId { get; init; }
    /// <summary>How many links the email has.</summary>
    public int EmailLinks { get; init; }
    public required string Type { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string? Link { get; init; }
    /// <summary>The email's tags, as name:value.</summary>
    public required string[] Tags { get; init; }
    public Guid? BroadcastId { get; init; }
    /// <summary>Whether the email is stored only (no relay): its sent event counts as delivered.</summary>
    public bool Stored { get; init; }
    public bool FirstOpen { get; init; }
    public bool FirstClick { get; init; }
    public bool FirstClickOnLink { get; init; }
    /// <summary>Null for a person, else why a machine's (<see cref="MachineReasons"/>).</summary>
    public string? Machine { get; init; }
    /// <summary>A person's open (click), and the email's first by a person.</summary>
    public bool FirstHumanOpen { get; init; }
    public bool FirstHumanClick { get; init; }
    /// <summary>An open's or a click's client; unknown for those recorded before classification.</summary>
    public EventClient? Client { get; init; }
    /// <summary>As stored (the project's privacy may have kept none): to tell one sender's clicks.</summary>
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
}

/// <summary>A place in a project's live stream: after the events of transaction <see cref="Txid"/> up to <see cref="Seq"/>.</summary>
public readonly record struct StreamCursor(ulong Txid, long Seq)
{
    public override string ToString() => $"{Txid}-{Seq}";

    public static StreamCursor? Parse(string? text) =>
        text?.Split('-') is [var txid, var seq] && ulong.TryParse(txid, out var t) && long.TryParse(seq, out var s) && s >= 0
            ? new StreamCursor(t, s) : null;
}

/// <summary>An event with what a webhook's payload tells of its email.</summary>
public sealed record NotifiableEvent(EmailEvent Event, EmailSnapshot Email);

/// <summary>An email as its events' webhook payloads show it.</summary>
public sealed record EmailSnapshot(Guid? BroadcastId, string From, string[] To, string Subject, EmailTag[] Tags,
    string? SmtpResponse, string? LastError);

/// <summary>
/// The one reader of <c>email_events</c> (<see cref="EventLog"/> is its one writer): for an email grain's
/// catch-up, the metrics, the Events API and the webhooks' fan-out.
/// </summary>
public sealed class EventReader(NpgsqlDataSource db)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A project's events after <paramref name="afterSeq"/>, in order, with the database's clock.</summary>
    public async Task<(DateTimeOffset Now, List<MetricEvent> Events)> After(Guid projectId, long afterSeq, int limit)
    {
        // "First" is by sequence within the email: its grain appends one event at a time, so that is also time order.
        await using var command = db.CreateCommand($"""
            SELECT e.seq, e.type, e.created_at, e.link, m.tags::text, m.broadcast_id, m.status = '{EmailStatuses.Stored}',
                e.type = '{EventTypes.Opened}' AND NOT EXISTS (SELECT 1 FROM email_events p
                    WHERE p.email_id = e.email_id AND p.seq < e.seq AND p.type = '{EventTypes.Opened}'),
                e.type = '{EventTypes.Clicked}' AND NOT EXISTS (SELECT 1 FROM email_events p
                    WHERE p.email_id = e.email_id AND p.seq < e.seq AND p.type = '{EventTypes.Clicked}'),
                e.type = '{EventTypes.Clicked}' AND NOT EXISTS (SELECT 1 FROM email_events p
                    WHERE p.email_id = e.email_id AND p.seq < e.seq AND p.type = '{EventTypes.Clicked}' AND p.link = e.link),
                e.machine,
                e.type = '{EventTypes.Opened}' AND e.machine IS NULL AND NOT EXISTS (SELECT 1 FROM email_events p
                    WHERE p.email_id = e.email_id AND p.seq < e.seq AND p.type = '{EventTypes.Opened}' AND p.machine IS NULL),
                e.type = '{EventTypes.Clicked}' AND e.machine IS NULL AND NOT EXISTS (SELECT 1 FROM email_events p
                    WHERE p.email_id = e.email_id AND p.seq < e.seq AND p.type = '{EventTypes.Clicked}' AND p.machine IS NULL),
                e.client_name, e.client_os, e.client_device, e.id, e.email_id, cardinality(m.links), e.ip_address, e.user_agent
            FROM email_events e JOIN email_contents m ON m.id = e.email_id
            WHERE e.project_id = $1 AND e.seq > $2
            ORDER BY e.seq LIMIT $3
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = afterSeq });
        command.Parameters.Add(new() { Value = limit });
        var events = new List<MetricEvent>();
        await using var clock = db.CreateCommand("SELECT now()");
        var now = new DateTimeOffset((DateTime)(await clock.ExecuteScalarAsync())!, TimeSpan.Zero);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var tags = JsonSerializer.Deserialize<EmailTag[]>(reader.GetString(4), Json)!.Select(t => $"{t.Name}:{t.Value}").ToArray();
            events.Add(new MetricEvent
            {
                Seq = reader.GetInt64(0), Type = reader.GetString(1), CreatedAt = reader.GetFieldValue<DateTimeOffset>(2),
                Link = Text(reader, 3), Tags = tags, BroadcastId = reader.IsDBNull(5) ? null : reader.GetGuid(5),
                Stored = reader.GetBoolean(6), FirstOpen = reader.GetBoolean(7), FirstClick = reader.GetBoolean(8),
                FirstClickOnLink = reader.GetBoolean(9), Machine = Text(reader, 10), FirstHumanOpen = reader.GetBoolean(11),
                FirstHumanClick = reader.GetBoolean(12), Client = ReadClient(reader, 13), Id = reader.GetGuid(16), EmailId = reader.GetGuid(17),
                EmailLinks = reader.GetInt32(18), IpAddress = Text(reader, 19), UserAgent = Text(reader, 20),
            });
        }
        return (now, events);
    }

    /// <summary>
    /// One page of a project's events since <paramref name="from"/>, newest first: after the cursor's
    /// sequence number when there is one (stable while new events arrive), else at an offset.
    /// </summary>
    public async Task<(List<(long Seq, EventItem Item)> Rows, bool HasMore)> Page(Guid projectId, DateTimeOffset from, Guid? emailId,
        string? type, int limit, int offset, long? beforeSeq)
    {
        // The window's first sequence number bounds the scan, so the last page does not read the whole log.
        await using var command = db.CreateCommand($"""
            WITH bound AS (
                SELECT coalesce((SELECT seq FROM email_events WHERE project_id = $1 AND created_at >= $2
                                 ORDER BY created_at, seq LIMIT 1), 9223372036854775807) AS low)
            SELECT {ItemColumns}
            FROM email_events e JOIN email_contents m ON m.id = e.email_id, bound
            WHERE e.project_id = $1 AND e.seq >= bound.low AND e.created_at >= $2
              AND ($3::uuid IS NULL OR e.email_id = $3) AND ($4::text IS NULL OR e.type = $4)
              AND ($5::bigint IS NULL OR e.seq < $5)
            ORDER BY e.seq DESC LIMIT $6 OFFSET $7
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = from });
        command.Parameters.Add(new() { Value = (object?)emailId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = (object?)type ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)beforeSeq ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = limit + 1 });
        command.Parameters.Add(new() { Value = offset });
        var rows = new List<(long, EventItem)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetInt64(0), ReadItem(reader)));
        return (rows.Take(limit).ToList(), rows.Count > limit);
    }

    /// <summary>
    /// A project's events after <paramref name="after"/> in commit order, up to <paramref name="limit"/>: only
    /// those of transactions older than every one still running, so an event that commits late still comes
    /// after the cursor. Without a cursor, the stream starts now. Each event comes with the cursor after it.
    /// </summary>
    public async Task<(List<(StreamCursor Cursor, EventItem Item)> Events, StreamCursor Next)> Stream(Guid projectId, StreamCursor? after, int limit)
    {
        if (after is null)
        {
            await using var now = db.CreateCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())::text");
            after = new StreamCursor(ulong.Parse((string)(await now.ExecuteScalarAsync())!), 0);
        }
        await using var command = db.CreateCommand($"""
            SELECT {ItemColumns}, e.txid::text
            FROM email_events e JOIN email_contents m ON m.id = e.email_id
            WHERE e.project_id = $1 AND e.txid IS NOT NULL AND (e.txid, e.seq) > ($2::text::xid8, $3)
              AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY e.txid, e.seq LIMIT $4
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = after.Value.Txid.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        command.Parameters.Add(new() { Value = after.Value.Seq });
        command.Parameters.Add(new() { Value = limit });
        var events = new List<(StreamCursor, EventItem)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var cursor = new StreamCursor(ulong.Parse(reader.GetString(ItemColumnCount), System.Globalization.CultureInfo.InvariantCulture), reader.GetInt64(0));
            events.Add((cursor, ReadItem(reader)));
        }
        return (events, events.Count > 0 ? events[^1].Item1 : after.Value);
    }

    /// <summary>The exact count behind a page filtered to one email (small: one email's events).</summary>
    public async Task<long> CountForEmail(Guid projectId, Guid emailId, DateTimeOffset from, string? type)
    {
        await using var command = db.CreateCommand("""
            SELECT count(*) FROM email_events
            WHERE project_id = $1 AND email_id = $2 AND created_at >= $3 AND ($4::text IS NULL OR type = $4)
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = emailId });
        command.Parameters.Add(new() { Value = from });
        command.Parameters.Add(new() { Value = (object?)type ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// An email's opens and clicks committed after <paramref name="afterSeq"/>, in order. Each silo's event log
    /// commits its own inserts in sequence order, but in a cluster a smaller number from another silo can
    /// still show after a larger one was read: readers allow for that (<see cref="LateCommits"/>).
    /// </summary>
    public async Task<IReadOnlyList<EmailEvent>> ReadAfter(Guid emailId, long afterSeq)
    {
        await using var command = db.CreateCommand($"""
            SELECT {EventColumns} FROM email_events e
            WHERE e.email_id = $1 AND e.seq > $2 AND e.type IN ('{EventTypes.Opened}', '{EventTypes.Clicked}') ORDER BY e.seq
            """);
        command.Parameters.Add(new() { Value = emailId });
        command.Parameters.Add(new() { Value = afterSeq });
        var events = new List<EmailEvent>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) events.Add(ReadEvent(reader));
        return events;
    }

    /// <summary>
    /// The events named, with their emails, that <paramref name="wanted"/> (a condition on the event <c>e</c>)
    /// still holds for, in the caller's transaction.
    /// </summary>
    public static Task<List<NotifiableEvent>> Notifiable(NpgsqlConnection connection, Guid[] ids, string wanted) =>
        Notifiable(connection, "e.id = ANY($1)", wanted, ids, int.MaxValue);

    /// <summary>
    /// Up to <paramref name="limit"/> events after <paramref name="afterSeq"/> in order, with their emails, that
    /// <paramref name="wanted"/> holds for; opens and clicks only once older than <paramref name="grace"/>.
    /// </summary>
    public static Task<List<NotifiableEvent>> Notifiable(NpgsqlConnection connection, long afterSeq, TimeSpan grace, string wanted, int limit) =>
        Notifiable(connection, $"""
            e.seq > $1 AND (e.type NOT IN ('{EventTypes.Opened}', '{EventTypes.Clicked}') OR e.created_at < now() - $2)
            """, wanted, afterSeq, limit, grace);

    static async Task<List<NotifiableEvent>> Notifiable(NpgsqlConnection connection, string which, string wanted, object first, int limit,
        TimeSpan? grace = null)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT {EventColumns}, m.broadcast_id, m.from_address, m.to_addresses, m.subject, m.tags::text, m.smtp_response, m.last_error
            FROM email_events e JOIN email_contents m ON m.id = e.email_id
            WHERE {which} AND {wanted}
            ORDER BY e.seq LIMIT {limit}
            """, connection);
        command.Parameters.Add(new() { Value = first });
        if (grace is { } g) command.Parameters.Add(new() { Value = g });
        var events = new List<NotifiableEvent>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            const int m = EventColumnCount;
            events.Add(new NotifiableEvent(ReadEvent(reader), new EmailSnapshot(
                reader.IsDBNull(m) ? null : reader.GetGuid(m), reader.GetString(m + 1), reader.GetFieldValue<string[]>(m + 2),
                reader.GetString(m + 3), JsonSerializer.Deserialize<EmailTag[]>(reader.GetString(m + 4), Json)!,
                Text(reader, m + 5), Text(reader, m + 6))));
        }
        return events;
    }

    /// <summary>The newest event's sequence number, 0 before the first.</summary>
    public static async Task<long> NewestSeq(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT coalesce(max(seq), 0) FROM email_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    // What ReadItem reads, first in a row: an event (after its sequence number) and its email's tags.
    const string ItemColumns = "e.seq, e.id, e.email_id, e.type, e.created_at, e.ip_address, e.user_agent, e.referer, e.link, m.tags::text, " +
        VerdictColumns;
    const int ItemColumnCount = 14;

    static EventItem ReadItem(NpgsqlDataReader reader) => new()
    {
        Id = PublicEventId.Of(reader.GetGuid(1)), EmailId = reader.GetGuid(2), Type = reader.GetString(3),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(4), IpAddress = Text(reader, 5), UserAgent = Text(reader, 6),
        Referer = Text(reader, 7), Link = Text(reader, 8), Tags = JsonSerializer.Deserialize<EmailTag[]>(reader.GetString(9), Json)!,
        Client = ReadClient(reader, 10), Machine = Text(reader, 13),
    };

    // What ReadEvent reads, first in a row.
    const string EventColumns = "e.id, e.email_id, e.project_id, e.type, e.created_at, e.ip_address, e.user_agent, e.referer, e.link, e.seq, " +
        VerdictColumns;
    const int EventColumnCount = 14;

    static EmailEvent ReadEvent(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0), EmailId = r.GetGuid(1), ProjectId = r.GetGuid(2), Type = r.GetString(3),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(4), IpAddress = Text(r, 5), UserAgent = Text(r, 6), Referer = Text(r, 7),
        Link = Text(r, 8), Seq = r.GetInt64(9), Client = ReadClient(r, 10), Machine = Text(r, 13),
    };

    // An open's or a click's classification: its client (name, os, device) and machine reason.
    const string VerdictColumns = "e.client_name, e.client_os, e.client_device, e.machine";

    static EventClient? ReadClient(NpgsqlDataReader r, int at) =>
        r.IsDBNull(at) ? null : new EventClient(r.GetString(at), Text(r, at + 1) ?? EventClient.Unknown, Text(r, at + 2) ?? EventClient.Unknown);

    static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
