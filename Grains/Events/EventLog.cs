using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Tracking.Events;

/// <summary>The durable record of opens and clicks: the <c>email_events</c> table.</summary>
public interface IEventLog
{
    /// <summary>Completes with the event's sequence number once it is committed.</summary>
    Task<long> Append(EmailEvent e);

    /// <summary>An email's events committed after <paramref name="afterSeq"/>, in order.</summary>
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
    readonly StatementBatches<EmailEvent, long> appends;

    public EventLog(NpgsqlDataSource db, ILogger<EventLog> log)
    {
        this.db = db;
        this.log = log;
        appends = new(Insert, maxBatch: 2000);
    }

    public Task<long> Append(EmailEvent e) => appends.Run(e);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>On shutdown the queue drains: every append already taken is committed or failed.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => appends.Complete().WaitAsync(cancellationToken);

    async Task<IReadOnlyList<long>> Insert(IReadOnlyList<EmailEvent> events)
    {
        try
        {
            return await InsertAll(events);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Could not commit {Count} events", events.Count);
            throw;
        }
    }

    async Task<IReadOnlyList<long>> InsertAll(IReadOnlyList<EmailEvent> events)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO email_events (id, email_id, project_id, type, created_at, ip_address, user_agent, referer, link)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[])
            RETURNING id, seq
            """);
        command.Parameters.Add(new() { Value = events.Select(e => e.Id).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.EmailId).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.ProjectId).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.Type).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.CreatedAt.ToUniversalTime()).ToArray() });
        command.Parameters.Add(Texts(events.Select(e => e.IpAddress)));
        command.Parameters.Add(Texts(events.Select(e => e.UserAgent)));
        command.Parameters.Add(Texts(events.Select(e => e.Referer)));
        command.Parameters.Add(Texts(events.Select(e => e.Link)));

        var seqs = new Dictionary<Guid, long>(events.Count);
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) seqs[reader.GetGuid(0)] = reader.GetInt64(1);
        return events.Select(e => seqs[e.Id]).ToArray();
    }

    static NpgsqlParameter Texts(IEnumerable<string?> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public async Task<IReadOnlyList<EmailEvent>> ReadAfter(Guid emailId, long afterSeq)
    {
        await using var command = db.CreateCommand("""
            SELECT id, email_id, project_id, type, created_at, ip_address, user_agent, referer, link, seq
            FROM email_events WHERE email_id = $1 AND seq > $2 ORDER BY seq
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
