using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Tracking.Events;

/// <summary>The durable record of opens and clicks: the <c>email_events</c> table.</summary>
public interface IEventLog
{
    /// <summary>
    /// Completes once the engagements are committed, with one result each, in order: null when nothing was
    /// recorded because the email does not exist, does not track opens (for an open), or has no link at the
    /// index (for a plain click).
    /// </summary>
    Task<IReadOnlyList<RecordedEngagement?>> Append(IReadOnlyList<Engagement> engagements);

    /// <summary>
    /// An email's opens and clicks committed after <paramref name="afterSeq"/>, in order. Reading past the
    /// last one is safe because only this log writes them, one batch at a time, so they commit in
    /// sequence order; other events (sent, delivered) may commit out of order and are left out.
    /// </summary>
    Task<IReadOnlyList<EmailEvent>> ReadAfter(Guid emailId, long afterSeq);
}

/// <summary>
/// Group commit: appends from concurrent requests queue up while one insert is in flight and then go
/// together in the next single statement, so durability costs one round trip per batch, not per event.
/// </summary>
public sealed class EventLog : IHostedService, IEventLog
{
    readonly NpgsqlDataSource db;
    readonly ILogger<EventLog> log;
    readonly CallBatches<IReadOnlyList<Engagement>, IReadOnlyList<RecordedEngagement?>> appends;

    public EventLog(NpgsqlDataSource db, ILogger<EventLog> log)
    {
        this.db = db;
        this.log = log;
        // Each append is one grain call's hits (the Gateway sends up to 1,000 together).
        appends = new(Insert, maxBatch: 16);
    }

    public Task<IReadOnlyList<RecordedEngagement?>> Append(IReadOnlyList<Engagement> engagements) => appends.Run(engagements);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>On shutdown the queue drains: every append already taken is committed or failed.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => appends.Complete().WaitAsync(cancellationToken);

    async Task<IReadOnlyList<IReadOnlyList<RecordedEngagement?>>> Insert(IReadOnlyList<IReadOnlyList<Engagement>> appended)
    {
        var events = appended.SelectMany(a => a).ToArray();
        RecordedEngagement?[] recorded;
        try
        {
            recorded = await InsertAll(events);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Could not commit {Count} events", events.Length);
            throw;
        }
        var results = new IReadOnlyList<RecordedEngagement?>[appended.Count];
        for (int i = 0, start = 0; i < appended.Count; start += appended[i].Count, i++)
            results[i] = new ArraySegment<RecordedEngagement?>(recorded, start, appended[i].Count);
        return results;
    }

    // The join with emails is the check that the email exists and tracks this, and it supplies the project
    // and a plain click's destination: the hot path needs no read of its own and no email grain.
    async Task<RecordedEngagement?[]> InsertAll(IReadOnlyList<Engagement> events)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO email_events (id, email_id, project_id, type, created_at, ip_address, user_agent, referer, link)
            SELECT n.id, n.email_id, e.project_id, n.type, n.created_at, n.ip_address, n.user_agent, n.referer,
                   coalesce(n.link, e.links[n.link_index + 1])
            FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[])
                 AS n (id, email_id, type, created_at, ip_address, user_agent, referer, link, link_index)
            JOIN emails e ON e.id = n.email_id
            WHERE CASE n.type WHEN 'opened' THEN e.track_open
                              ELSE coalesce(n.link, e.links[n.link_index + 1]) IS NOT NULL END
            RETURNING id, project_id, link
            """);
        command.Parameters.Add(new() { Value = events.Select(e => e.Id).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.EmailId).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.Type).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.CreatedAt.ToUniversalTime()).ToArray() });
        command.Parameters.Add(Texts(events.Select(e => e.IpAddress)));
        command.Parameters.Add(Texts(events.Select(e => e.UserAgent)));
        command.Parameters.Add(Texts(events.Select(e => e.Referer)));
        command.Parameters.Add(Texts(events.Select(e => e.Link)));
        command.Parameters.Add(new() { Value = events.Select(e => e.LinkIndex).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });

        var recorded = new Dictionary<Guid, RecordedEngagement>(events.Count);
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                recorded[reader.GetGuid(0)] = new RecordedEngagement(reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        return events.Select(e => recorded.GetValueOrDefault(e.Id)).ToArray();
    }

    static NpgsqlParameter Texts(IEnumerable<string?> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public async Task<IReadOnlyList<EmailEvent>> ReadAfter(Guid emailId, long afterSeq)
    {
        await using var command = db.CreateCommand("""
            SELECT id, email_id, project_id, type, created_at, ip_address, user_agent, referer, link, seq
            FROM email_events WHERE email_id = $1 AND seq > $2 AND type IN ('opened', 'clicked') ORDER BY seq
            """);
        command.Parameters.Add(new() { Value = emailId });
        command.Parameters.Add(new() { Value = afterSeq });
        var events = new List<EmailEvent>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            events.Add(new EmailEvent(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), Text(reader, 5), Text(reader, 6), Text(reader, 7), Text(reader, 8),
                reader.GetInt64(9)));
        return events;

        static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    }
}
