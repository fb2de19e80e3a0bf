namespace Tracking.Contracts;

/// <summary>The body of <c>POST /v1/broadcasts</c>: one content for many recipients.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.BroadcastDraft")]
public sealed record BroadcastDraft(
    [property: Id(0)] string? From,
    [property: Id(1)] string? Subject,
    [property: Id(2)] string? Html,
    [property: Id(3)] string? Text,
    [property: Id(4)] EmailTag[]? Tags,
    [property: Id(5)] TrackingSettings? Tracking,
    [property: Id(6)] BroadcastRecipient[]? Recipients,
    [property: Id(7)] string[]? ReplyTo = null,
    [property: Id(8)] Dictionary<string, string>? Headers = null);

/// <summary>A recipient; <see cref="Tid"/> is the caller's own identifier for it, echoed in click links.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.BroadcastRecipient")]
public sealed record BroadcastRecipient([property: Id(0)] string? To, [property: Id(1)] string? Tid = null);

[GenerateSerializer, Immutable, Alias("Tracking.BroadcastView")]
public sealed record BroadcastView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string From,
    [property: Id(2)] string Subject,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] int Recipients,
    [property: Id(5)] Dictionary<string, int> Statuses);

/// <summary>The email made for one recipient of a broadcast.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.BroadcastEmail")]
public sealed record BroadcastEmail([property: Id(0)] Guid Id, [property: Id(1)] string To, [property: Id(2)] string Tid);

[GenerateSerializer, Immutable, Alias("Tracking.BroadcastCreation")]
public sealed record BroadcastCreation(
    [property: Id(0)] BroadcastView? Broadcast,
    [property: Id(1)] BroadcastEmail[]? Emails,
    [property: Id(2)] Dictionary<string, string[]>? Errors);
