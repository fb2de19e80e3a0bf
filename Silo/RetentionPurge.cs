using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tracking.Contracts;

namespace Tracking.Silo;

/// <summary>
/// Deletes what each project keeps no longer (<c>retention_days</c>, <c>content_retention_days</c>), in small
/// batches, so that the hot path never waits on it, and keeps every figure: events go only once the project's
/// metrics have counted them and the webhooks' sweep has passed them, and once each of their emails has folded
/// them into its saved counts. Emails lose their bodies and attachments once delivered (or failed) and old
/// enough. One silo purges at a time (an advisory lock); a pass every <c>Retention:PassSeconds</c> (an hour).
/// </summary>
public sealed class RetentionPurge(NpgsqlDataSource db, IGrainFactory grains, IConfiguration config, ILogger<RetentionPurge> log) : BackgroundService
{
    const int Batch = 1000;
    const long LockKey = 0x7472_6163_6b72_6574; // "trackret"

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, config.GetValue("Retention:PassSeconds", 3600)));
        while (!stopping.IsCancellationRequested)
        {
            await Task.Delay(every, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (stopping.IsCancellationRequested) break;
            try
            {
                await Pass(stopping);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                log.PurgeFailed(ex);
            }
        }
    }

    async Task Pass(CancellationToken stopping)
    {
        await using var connection = await db.OpenConnectionAsync(stopping);
        await using (var locking = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = LockKey } } })
            if (!(bool)(await locking.ExecuteScalarAsync(stopping))!) return;
        try
        {
            // Only the projects with something past their retention, found through the indexes on time.
            var projects = new List<(Guid Id, int Days, int ContentDays, bool OldEvents)>();
            await using (var list = new NpgsqlCommand("""
                SELECT id, retention_days, content_retention_days, old_events FROM (
                    SELECT p.id, p.retention_days, p.content_retention_days,
                           EXISTS (SELECT 1 FROM email_events e WHERE e.project_id = p.id
                                   AND e.created_at < now() - make_interval(days => p.retention_days)) AS old_events,
                           EXISTS (SELECT 1 FROM emails m WHERE m.project_id = p.id AND (m.html IS NOT NULL OR m.text IS NOT NULL)
                                   AND m.created_at < now() - make_interval(days => p.content_retention_days))
                           OR EXISTS (SELECT 1 FROM broadcasts b WHERE b.project_id = p.id AND (b.html IS NOT NULL OR b.text IS NOT NULL)
                                   AND b.created_at < now() - make_interval(days => p.content_retention_days)) AS old_content
                    FROM projects p) candidates
                WHERE old_events OR old_content
                """, connection))
            await using (var reader = await list.ExecuteReaderAsync(stopping))
                while (await reader.ReadAsync(stopping)) projects.Add((reader.GetGuid(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetBoolean(3)));
            foreach (var (id, days, contentDays, oldEvents) in projects)
            {
                if (oldEvents)
                {
                    // The figures count every event before any goes: have them read the log up to now, and save.
                    await grains.GetGrain<IProjectMetricsGrain>(id).EventCount(long.MaxValue, null);
                    while (!stopping.IsCancellationRequested && await PurgeEvents(connection, id, days) == Batch) { }
                }
                while (!stopping.IsCancellationRequested && await PurgeContent(connection, id, contentDays) == Batch) { }
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = LockKey } } };
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Deletes a batch of a project's old events that every reader is done with; answers how many it looked at.</summary>
    async Task<int> PurgeEvents(NpgsqlConnection connection, Guid projectId, int days)
    {
        var old = new List<(Guid Email, long Seq)>();
        await using (var select = new NpgsqlCommand("""
            SELECT e.email_id, e.seq FROM email_events e
            WHERE e.project_id = $1 AND e.created_at < now() - make_interval(days => $2)
              AND e.seq <= coalesce((SELECT settled_seq FROM metric_cursors WHERE project_id = $1), 0)
              AND e.seq <= coalesce((SELECT last_seq FROM webhook_sweep WHERE id = 1), 0)
            ORDER BY e.seq LIMIT $3
            """, connection))
        {
            select.Parameters.Add(new() { Value = projectId });
            select.Parameters.Add(new() { Value = days });
            select.Parameters.Add(new() { Value = Batch });
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync()) old.Add((reader.GetGuid(0), reader.GetInt64(1)));
        }
        if (old.Count == 0) return 0;
        // Only what each email has folded into its saved counts goes.
        var settled = await Task.WhenAll(old.GroupBy(e => e.Email)
            .Select(email => grains.GetGrain<IEmailGrain>(email.Key).Settle([.. email.Select(e => e.Seq)])));
        await using var delete = new NpgsqlCommand("DELETE FROM email_events WHERE project_id = $1 AND seq = ANY($2)", connection);
        delete.Parameters.Add(new() { Value = projectId });
        delete.Parameters.Add(new() { Value = settled.SelectMany(s => s).ToArray() });
        var deleted = await delete.ExecuteNonQueryAsync();
        if (deleted > 0) log.EventsPurged(deleted, projectId);
        // Events not settled yet (read moments ago) are left for the next pass.
        return deleted == old.Count ? old.Count : 0;
    }

    /// <summary>Empties a batch of a project's old emails of their bodies and attachments; answers how many.</summary>
    async Task<int> PurgeContent(NpgsqlConnection connection, Guid projectId, int days)
    {
        await using var update = new NpgsqlCommand($"""
            UPDATE emails SET html = NULL, text = NULL, attachments = '[]'
            WHERE id IN (SELECT id FROM emails
                         WHERE project_id = $1 AND created_at < now() - make_interval(days => $2) AND (html IS NOT NULL OR text IS NOT NULL OR attachments <> '[]')
                           AND status IN ('{EmailStatuses.Sent}', '{EmailStatuses.Failed}', '{EmailStatuses.Stored}')
                         LIMIT $3)
            """, connection);
        update.Parameters.Add(new() { Value = projectId });
        update.Parameters.Add(new() { Value = days });
        update.Parameters.Add(new() { Value = Batch });
        var emptied = await update.ExecuteNonQueryAsync();
        // A broadcast's content is its recipients' copies: it goes once none of them is still to be sent.
        await using var broadcasts = new NpgsqlCommand($"""
            UPDATE broadcasts b SET html = NULL, text = NULL
            WHERE b.project_id = $1 AND b.created_at < now() - make_interval(days => $2) AND (b.html IS NOT NULL OR b.text IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM emails e WHERE e.broadcast_id = b.id
                              AND e.status NOT IN ('{EmailStatuses.Sent}', '{EmailStatuses.Failed}', '{EmailStatuses.Stored}'))
            """, connection);
        broadcasts.Parameters.Add(new() { Value = projectId });
        broadcasts.Parameters.Add(new() { Value = days });
        await broadcasts.ExecuteNonQueryAsync();
        return emptied;
    }
}
