namespace Tracking.Contracts;

/// <summary>The body of <c>POST /v1/webhooks</c> and <c>PATCH /v1/webhooks/{id}</c> (absent fields stay as they are).</summary>
[GenerateSerializer, Immutable, Alias("Tracking.WebhookDraft")]
public sealed record WebhookDraft(
    [property: Id(0)] string? Url,
    [property: Id(1)] string[]? Events,
    [property: Id(2)] bool? Enabled = null,
    [property: Id(3)] bool? IncludeMachine = null);

[GenerateSerializer, Immutable, Alias("Tracking.WebhookView")]
public sealed record WebhookView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Url,
    [property: Id(2)] string[] Events,
    [property: Id(3)] bool Enabled,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string? DisabledReason,
    [property: Id(6)] bool IncludeMachine = true);

/// <summary>A webhook with its signing secret, shown only when it is created or its secret rotated.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.WebhookWithSecret")]
public sealed record WebhookWithSecret(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Url,
    [property: Id(2)] string[] Events,
    [property: Id(3)] bool Enabled,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string? DisabledReason,
    [property: Id(6)] string Secret,
    [property: Id(7)] bool IncludeMachine = true);

/// <summary>One delivery of an event to a webhook, with its attempts so far.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.WebhookDeliveryView")]
public sealed record WebhookDeliveryView
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string EventId { get; init; }
    [Id(2)] public required string EventType { get; init; }
    [Id(3)] public required string Status { get; init; }
    [Id(4)] public required int Attempts { get; init; }
    [Id(5)] public int? LastStatusCode { get; init; }
    [Id(6)] public string? LastError { get; init; }
    [Id(7)] public DateTimeOffset? NextAttemptAt { get; init; }
    [Id(8)] public DateTimeOffset? DeliveredAt { get; init; }
    [Id(9)] public required DateTimeOffset CreatedAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("Tracking.WebhookDeliveryPage")]
public sealed record WebhookDeliveryPage(
    [property: Id(0)] WebhookDeliveryView[] Data,
    [property: Id(1)] int Limit,
    [property: Id(2)] int Offset,
    [property: Id(3)] bool HasMore);
