using Orleans.Runtime;
using Orleans.Runtime.Messaging;

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

    readonly IGrainFactory grains;
    readonly CallBatches<TrackingHit, HitOutcome> calls;

    public TrackingHits(IGrainFactory grains)
    {
        this.grains = grains;
        // Two calls in flight: while the event log commits one batch, the next is already waiting in it.
        calls = new(Record, maxBatch: 1000, maxInFlight: 2);
    }

    async Task<IReadOnlyList<HitOutcome>> Record(IReadOnlyList<TrackingHit> hits)
    {
        var deadline = DateTime.UtcNow + RecordTimeout;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                // The engagement grain is a stateless worker: any key will do, and a fresh key has no place
                // cached in this client, so it is placed through a silo the client can still reach.
                return await grains.GetGrain<IEngagementGrain>(attempt).Record([.. hits]).WaitAsync(RecordTimeout);
            }
            catch (Exception ex) when (NeverSent(ex) && DateTime.UtcNow < deadline)
            {
                // The call never left: the silo it was for is gone (a cluster member died), so sending it
                // again cannot record anything twice.
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    static bool NeverSent(Exception ex) =>
        ex is ConnectionFailedException || ex is OrleansMessageRejectionException { InnerException: ConnectionFailedException };

    /// <summary>Completes once the hit is committed or found not recordable; throws when the silo cannot answer.</summary>
    public Task<HitOutcome> Record(TrackingHit hit) => calls.Run(hit);
}
