namespace Tracking.Contracts;

/// <summary>A project's tracking defaults, for requests that do not say (keyed by project id).</summary>
[Alias("Tracking.ITrackingDefaultsGrain")]
public interface ITrackingDefaultsGrain : IGrainWithGuidKey
{
    [Alias("Get")] Task<TrackedFlags> Get();

    /// <summary>Changes what is given, for emails and broadcasts made from now on.</summary>
    [Alias("Update")] Task<TrackedFlags> Update(TrackingSettings changes);
}
