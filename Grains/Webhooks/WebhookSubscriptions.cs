using Npgsql;

namespace Tracking.Grains.Webhooks;

/// <summary>
/// Which projects have enabled webhooks for which event types, refreshed every few seconds (and at once
/// after a change made through this silo). It only decides whether an email grain publishes a stream
/// notice: a stale answer costs latency, never a delivery, since the sweep finds every event anyway.
/// </summary>
public sealed class WebhookSubscriptions
{
    static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    readonly NpgsqlDataSource db;
    readonly TimeProvider clock;
    Dictionary<Guid, HashSet<string>> byProject = [];
    DateTimeOffset loadedAt = DateTimeOffset.MinValue;
    Task? loading;

    public WebhookSubscriptions(NpgsqlDataSource db, TimeProvider clock)
    {
        this.db = db;
        this.clock = clock;
        Refresh();
    }

    public bool Wants(Guid projectId, string eventType)
    {
        if (clock.GetUtcNow() - loadedAt > MaxAge) Refresh();
        return Volatile.Read(ref byProject).TryGetValue(projectId, out var types) && types.Contains(eventType);
    }

    public void Changed()
    {
        loadedAt = DateTimeOffset.MinValue;
        Refresh();
    }

    void Refresh()
    {
        if (loading is { IsCompleted: false }) return;
        loading = Task.Run(Load);
    }

    async Task Load()
    {
        try
        {
            await using var command = db.CreateCommand(
                "SELECT project_id, events FROM webhooks WHERE enabled AND deleted_at IS NULL");
            var map = new Dictionary<Guid, HashSet<string>>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                if (!map.TryGetValue(reader.GetGuid(0), out var types)) map[reader.GetGuid(0)] = types = [];
                types.UnionWith(reader.GetFieldValue<string[]>(1));
            }
            Volatile.Write(ref byProject, map);
            loadedAt = clock.GetUtcNow();
        }
        catch (Exception)
        {
            // Keep the last answer; the next call tries again.
        }
    }
}
