using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Webhooks;

/// <summary>
/// Which projects have enabled webhooks for which event types, reloaded every few seconds (and at once
/// after a change made through this silo). It only decides whether an engagement publishes a stream
/// notice: a stale answer costs latency, never a delivery, since the sweep finds every event anyway.
/// </summary>
public sealed class WebhookSubscriptions(NpgsqlDataSource db, ILogger<WebhookSubscriptions> log) : BackgroundService
{
    static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    readonly WakeSignal changed = new();
    Dictionary<Guid, HashSet<string>> byProject = [];

    /// <param name="eventType">An event type as the log names it (<c>opened</c>), which is asked for every hit.</param>
    public bool Wants(Guid projectId, string eventType) =>
        Volatile.Read(ref byProject).TryGetValue(projectId, out var types) && types.Contains(eventType);

    /// <summary>A webhook was made, changed or deleted: reload now rather than at the next interval.</summary>
    public void Changed()
    {
        changed.Set();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Volatile.Write(ref byProject, await Load(stoppingToken));
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The last answer stands until a reload succeeds; the sweep covers what it misses.
                log.SubscriptionsNotReloaded(ex);
            }
            await changed.Wait(MaxAge, stoppingToken);
        }
    }

    async Task<Dictionary<Guid, HashSet<string>>> Load(CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT project_id, events FROM webhooks WHERE enabled AND deleted_at IS NULL");
        var map = new Dictionary<Guid, HashSet<string>>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (!map.TryGetValue(reader.GetGuid(0), out var types)) map[reader.GetGuid(0)] = types = [];
            // Kept as the log names them, so that a hit's question needs no new string.
            types.UnionWith(reader.GetFieldValue<string[]>(1).Select(t => t[EventTypes.WebhookPrefix.Length..]));
        }
        return map;
    }
}
