using System.Text.Json;
using Npgsql;
using Tracking.Grains.Webhooks;
using Tracking.Contracts;

namespace Tracking.Grains.Analytics;

/// <summary>An event as the metrics fold it in, with what the fold needs to know about its email.</summary>
public sealed record MetricEvent(
    long Seq, string Type, DateTimeOffset CreatedAt, string? Link, string[] Tags, Guid? BroadcastId,
    bool Stored, bool FirstOpen, bool FirstClick, bool FirstClickOnLink);

/// <summary>Reads <c>email_events</c> for the Events API and for the metrics.</summary>
public sealed class EventReader(NpgsqlDataSource db)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A project's events after <paramref name="afterSeq"/>, in order, with the database's clock.</summary>
    public async Task<(DateTimeOffset Now, List<MetricEvent> Events)> After(Guid projectId, long afterSeq, int limit)
    {
        // "First" is by sequence within the email: its grain appends one event at a time, so that is also time order.
        await using var command = db.CreateCommand("""
            SELECT e.seq, e.type, e.created_at, e.link, m.tags::text, m.broadcast_id, m.status = 'stored',
                e.type = 'opened' AND NOT EXISTS (SELECT 1 FROM email_events p
                    WHERE p.email_id = e.email_id AND p.seq < e.seq AND p.type = 'opened'),
                e.type = 'clicked' AND NOT EXISTS (SELECT 1 FROM email_events p
                    WHERE p.email_id = e.email_id AND p.seq < e.seq AND p.type = 'clicked'),
                e.type = 'clicked' AND NOT EXISTS (SELECT 1 FROM email_events p
                    WHERE p.email_id = e.email_id AND p.seq < e.seq AND p.type = 'clicked' AND p.link = e.link)
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
            events.Add(new MetricEvent(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), tags, reader.IsDBNull(5) ? null : reader.GetGuid(5),
                reader.GetBoolean(6), reader.GetBoolean(7), reader.GetBoolean(8), reader.GetBoolean(9)));
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
        await using var command = db.CreateCommand("""
            WITH bound AS (
                SELECT coalesce((SELECT seq FROM email_events WHERE project_id = $1 AND created_at >= $2
                                 ORDER BY created_at, seq LIMIT 1), 9223372036854775807) AS low)
            SELECT e.seq, e.id, e.email_id, e.type, e.created_at, e.ip_address, e.user_agent, e.referer, e.link, m.tags::text
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
            rows.Add((reader.GetInt64(0), new EventItem(WebhookSignature.EventId(reader.GetGuid(1)), reader.GetGuid(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), Text(reader, 5), Text(reader, 6), Text(reader, 7), Text(reader, 8),
                JsonSerializer.Deserialize<EmailTag[]>(reader.GetString(9), Json)!)));
        return (rows.Take(limit).ToList(), rows.Count > limit);
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

    static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
