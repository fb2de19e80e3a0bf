namespace Tracking.Grains.Events;

public static class EventTypes
{
    public const string Opened = "opened";
    public const string Clicked = "clicked";
    /// <summary>Accepted by the API.</summary>
    public const string Sent = "sent";
    /// <summary>Accepted by the SMTP relay.</summary>
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>One row of <c>email_events</c>. <see cref="Seq"/> is assigned by the database on commit.</summary>
public sealed record EmailEvent(
    Guid Id,
    Guid EmailId,
    Guid ProjectId,
    string Type,
    DateTimeOffset CreatedAt,
    string? IpAddress,
    string? UserAgent,
    string? Referer,
    string? Link,
    long Seq = 0);

/// <summary>
/// An open or a click as the hot path has it. The email's project, and for a plain click the destination
/// at <see cref="LinkIndex"/>, come from the event log: from its email directory, or from the email's row
/// in the statement that commits it.
/// </summary>
public sealed record Engagement(
    Guid Id,
    Guid EmailId,
    string Type,
    DateTimeOffset CreatedAt,
    string? IpAddress,
    string? UserAgent,
    string? Referer,
    string? Link,
    int? LinkIndex);

/// <summary>A committed engagement: its email's project, and where a click leads.</summary>
public sealed record RecordedEngagement(Guid ProjectId, string? Link);
