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

    public TrackingHits(IGrainFactory grains)
    {
        var engagements = grains.GetGrain<IEngagementGrain>(0);
        // Two calls in flight: while the event log commits one batch, the next is already waiting in it.
        calls = new(async hits => await engagements.Record([.. hits]).WaitAsync(RecordTimeout), maxBatch: 1000, maxInFlight: 2);
    }

    /// <summary>Completes once the hit is committed or found not recordable; throws when the silo cannot answer.</summary>
    public Task<HitOutcome> Record(TrackingHit hit) => calls.Run(hit);
}
