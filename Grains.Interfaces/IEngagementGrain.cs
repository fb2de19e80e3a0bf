namespace Tracking.Contracts;

/// <summary>
/// The hot path: records opens and clicks. A stateless worker near the caller; it does not wake the email's
/// grain, which folds the committed events into its aggregates when they are read.
/// </summary>
[Alias("Tracking.IEngagementGrain")]
public interface IEngagementGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Records hits that arrived together (the Gateway coalesces concurrent requests into one call): completes
    /// once each is committed or found not recordable, with one outcome per hit, in order.
    /// </summary>
    [Alias("Record")] Task<HitOutcome[]> Record(TrackingHit[] hits);
}
