namespace Tracking.Contracts;

/// <summary>Who fetched the pixel. The time is the grain's, not the caller's.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.OpenContext")]
public sealed record OpenContext(
    [property: Id(0)] string? IpAddress,
    [property: Id(1)] string? UserAgent);

/// <summary>
/// A click as it arrived. <see cref="TrackingId"/> is the path segment; in broadcast form
/// <see cref="Url"/>, <see cref="Tid"/> and <see cref="Signature"/> come from the query. <see cref="Head"/>: it was a
/// HEAD request, which people's browsers do not send.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tracking.ClickContext")]
public sealed record ClickContext(
    [property: Id(0)] string TrackingId,
    [property: Id(1)] string? Url,
    [property: Id(2)] string? Tid,
    [property: Id(3)] string? Signature,
    [property: Id(4)] string? IpAddress,
    [property: Id(5)] string? UserAgent,
    [property: Id(6)] string? Referer,
    [property: Id(7)] bool Head = false);

/// <summary>
/// An open (<see cref="Open"/> set) or a click (<see cref="Click"/> set) on an email. A hit over its
/// sender's rate limit is <see cref="CheckOnly"/>: a click is checked and answered with where it leads,
/// and nothing is recorded.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tracking.TrackingHit")]
public sealed record TrackingHit(
    [property: Id(0)] Guid EmailId,
    [property: Id(1)] OpenContext? Open,
    [property: Id(2)] ClickContext? Click,
    [property: Id(3)] bool CheckOnly = false);

/// <summary>
/// What became of a hit: where an authentic click leads (null: nowhere), or that it could not be recorded,
/// nor a click checked, because a part of the service is down.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tracking.HitOutcome")]
public readonly record struct HitOutcome(
    [property: Id(0)] string? Destination,
    [property: Id(1)] bool Unavailable);
