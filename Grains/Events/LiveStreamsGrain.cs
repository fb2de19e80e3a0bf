using Tracking.Contracts;

namespace Tracking.Grains.Events;

/// <summary>
/// Counts a project's open live streams in memory. Should the grain move (its silo gone), the count starts again
/// from the streams that renew: for a while a project may hold more than its share, never fewer.
/// </summary>
public sealed class LiveStreamsGrain(TimeProvider clock) : Grain, ILiveStreamsGrain
{
    /// <summary>How long a stream holds its place without a renewal; Gateways renew every third of it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    readonly Dictionary<Guid, DateTimeOffset> leases = [];

    public Task<bool> Open(Guid stream)
    {
        var now = clock.GetUtcNow();
        foreach (var (id, until) in leases.ToList())
            if (until <= now) leases.Remove(id);
        if (leases.Count >= ILiveStreamsGrain.MaxPerProject) return Task.FromResult(false);
        leases[stream] = now + Lease;
        return Task.FromResult(true);
    }

    public Task Renew(Guid stream)
    {
        leases[stream] = clock.GetUtcNow() + Lease;
        return Task.CompletedTask;
    }

    public Task Close(Guid stream)
    {
        leases.Remove(stream);
        return Task.CompletedTask;
    }
}
