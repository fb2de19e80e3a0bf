using Orleans.Runtime.Messaging;
using Tracking.Contracts;

namespace Tracking.Gateway;

/// <summary>
/// Carries the tracking endpoints' hits to the engagement grain, coalescing concurrent requests into one
/// grain call. Under load this process's CPU limits the pixel, and a grain call costs far more of it
/// than one hit's share of a batch. When idle, a hit goes alone at once.
/// </summary>
public sealed class TrackingHits
{
    // An answer slower than this is not worth a recipient's wait: the pixel is served regardless.
    static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(10);

    readonly CallBatches<TrackingHit, HitOutcome> calls;
    // Made once: resolving a grain reference per batch showed as 1.5% of the process's CPU at the peak.
    readonly IEngagementGrain[] grains;
    readonly TimeProvider clock;
    int batches;

    /// <param name="spread">
    /// Whether this Gateway is a client of a cluster: then batches take turns among many engagement grain
    /// keys. The grain is a stateless worker, placed where the call enters the cluster, and the client sends
    /// each key through the gateway silo it chose when the key was first used (among those it knew then), so
    /// the silos share the hits; with one key, every hit from this Gateway went through one silo. Many keys,
    /// because a key keeps its first choice: with 16, all were taken before the client had seen the second
    /// silo. With the silo in this process there is nothing to spread, and one key is cheaper (a thousand
    /// cost the hot path about a tenth more CPU).
    /// </param>
    /// <param name="maxQueued">Hits waiting for a grain call; past it a hit is refused, not queued.</param>
    public TrackingHits(IGrainFactory grains, TimeProvider clock, bool spread, int maxQueued)
    {
        this.clock = clock;
        this.grains = [.. Enumerable.Range(0, spread ? 1024 : 1).Select(key => grains.GetGrain<IEngagementGrain>(key))];
        // Two calls in flight: while the event log commits one batch, the next is already waiting in it.
        calls = new(Record, maxBatch: 1000, maxInFlight: 2, maxQueued);
    }

    async Task<IReadOnlyList<HitOutcome>> Record(IReadOnlyList<TrackingHit> hits)
    {
        var deadline = clock.GetUtcNow() + RecordTimeout;
        var first = (uint)Interlocked.Increment(ref batches);
        for (var attempt = 0u; ; attempt++)
        {
            try
            {
                // A retry takes the next key, which the client may send through another silo: the first
                // key's silo may be the dead one.
                return await grains[(first + attempt) % (uint)grains.Length].Record([.. hits]).WaitAsync(RecordTimeout, clock);
            }
            catch (Exception ex) when (NeverSent(ex) && clock.GetUtcNow() < deadline)
            {
                // The call never reached the grain: a silo on its way is gone (a cluster member died), so
                // sending it again cannot record anything twice.
                await Task.Delay(TimeSpan.FromMilliseconds(200), clock);
            }
        }
    }

    // A rejection is Orleans' answer for a message it did not deliver: here, a silo placing the grain could
    // not reach the dead silo's part of the grain directory. The engagement grain makes no grain call whose
    // failure it passes on (its stream notices are fire and forget), so a rejection never follows a commit.
    static bool NeverSent(Exception ex) => ex is ConnectionFailedException or OrleansMessageRejectionException;

    /// <summary>
    /// Queues the hit; false at once when the queue is full. The outcome completes once the hit is committed
    /// or found not recordable, and throws when the silo cannot answer.
    /// </summary>
    public bool TryRecord(TrackingHit hit, out Task<HitOutcome> outcome) => calls.TryRun(hit, out outcome);
}
