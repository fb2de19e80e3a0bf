using Tracking.Contracts;

namespace Tracking.Grains.Events;

/// <summary>One row of <c>email_events</c>. <see cref="Seq"/> is assigned by the database on commit.</summary>
public sealed record EmailEvent
{
    public required Guid Id { get; init; }
    public required Guid EmailId { get; init; }
    public required Guid ProjectId { get; init; }
    public required string Type { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
    public string? Referer { get; init; }
    public string? Link { get; init; }
    public EventClient? Client { get; init; }
    public string? Machine { get; init; }
    public long Seq { get; init; }
}

/// <summary>
/// An open or a click as the hot path has it. The email's project, and for a plain click the destination
/// at <see cref="LinkIndex"/>, come from the event log: from its email directory, or from the email's row
/// in the statement that commits it.
/// </summary>
public sealed record Engagement
{
    public required Guid Id { get; init; }
    public required Guid EmailId { get; init; }
    public required string Type { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The address in full; its project's privacy says what of it is stored (see <see cref="IpAddressPolicy"/>).</summary>
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
    public string? Referer { get; init; }
    public string? Link { get; init; }
    public int? LinkIndex { get; init; }
    public required EventClient Client { get; init; }
    public string? Machine { get; init; }
}

/// <summary>A committed engagement: its email's project, and where a click leads.</summary>
public sealed record RecordedEngagement(Guid ProjectId, string? Link);
