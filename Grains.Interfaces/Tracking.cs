namespace Tracking;

/// <summary>Who fetched the pixel. The time is the grain's, not the caller's.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.OpenContext")]
public sealed record OpenContext(
    [property: Id(0)] string? IpAddress,
    [property: Id(1)] string? UserAgent);

/// <summary>
/// A click as it arrived. <see cref="TrackingId"/> is the path segment; in broadcast form
/// <see cref="Url"/>, <see cref="Tid"/> and <see cref="Signature"/> come from the query.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tracking.ClickContext")]
public sealed record ClickContext(
    [property: Id(0)] string TrackingId,
    [property: Id(1)] string? Url,
    [property: Id(2)] string? Tid,
    [property: Id(3)] string? Signature,
    [property: Id(4)] string? IpAddress,
    [property: Id(5)] string? UserAgent,
    [property: Id(6)] string? Referer);
