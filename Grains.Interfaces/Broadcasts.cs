namespace Tracking.Contracts;

/// <summary>The body of <c>POST /v1/broadcasts</c>: one content for many recipients.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.BroadcastDraft")]
public sealed record BroadcastDraft
{
    [Id(0)] public string? From { get; init; }
    [Id(1)] public string? Subject { get; init; }
    [Id(2)] public string? Html { get; init; }
    [Id(3)] public string? Text { get; init; }
    [Id(4)] public EmailTag[]? Tags { get; init; }
    [Id(5)] public TrackingSettings? Tracking { get; init; }
    [Id(6)] public BroadcastRecipient[]? Recipients { get; init; }
    [Id(7)] public string[]? ReplyTo { get; init; }
    [Id(8)] public Dictionary<string, string>? Headers { get; init; }
}

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

/// <summary>A broadcast made: its id, how many recipients it has, and the email made for each.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.BroadcastCreated")]
public sealed record BroadcastCreated(
    [property: Id(0)] Guid Id,
    [property: Id(1)] int Recipients,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] BroadcastEmail[] Emails);
