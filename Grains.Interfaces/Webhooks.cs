namespace Tracking.Contracts;

/// <summary>The body of <c>POST /v1/webhooks</c> and <c>PATCH /v1/webhooks/{id}</c> (absent fields stay as they are).</summary>
[GenerateSerializer, Immutable, Alias("Tracking.WebhookDraft")]
public sealed record WebhookDraft(
    [property: Id(0)] string? Url,
    [property: Id(1)] string[]? Events,
    [property: Id(2)] bool? Enabled = null);

[GenerateSerializer, Immutable, Alias("Tracking.WebhookView")]
public sealed record WebhookView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Url,
    [property: Id(2)] string[] Events,
    [property: Id(3)] bool Enabled,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string? DisabledReason);

/// <summary>A webhook answer: the webhook (with its secret right after creation or rotation), or errors.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.WebhookResult")]
public sealed record WebhookResult(
    [property: Id(0)] WebhookView? Webhook,
    [property: Id(1)] string? Secret = null,
    [property: Id(2)] Dictionary<string, string[]>? Errors = null);

[GenerateSerializer, Immutable, Alias("Tracking.WebhookDeliveryView")]
public sealed record WebhookDeliveryView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string EventId,
    [property: Id(2)] string EventType,
    [property: Id(3)] string Status,
    [property: Id(4)] int Attempts,
    [property: Id(5)] int? LastStatusCode,
    [property: Id(6)] string? LastError,
    [property: Id(7)] DateTimeOffset? NextAttemptAt,
    [property: Id(8)] DateTimeOffset? DeliveredAt,
    [property: Id(9)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("Tracking.WebhookDeliveryPage")]
public sealed record WebhookDeliveryPage(
    [property: Id(0)] WebhookDeliveryView[] Data,
    [property: Id(1)] int Limit,
    [property: Id(2)] int Offset,
    [property: Id(3)] bool HasMore);
