namespace Tracking.Contracts;

/// <summary><c>POST /v1/tracking-opt-outs</c>: a recipient not to be tracked.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.OptOutDraft")]
public sealed record OptOutDraft([property: Id(0)] string? Email);

/// <summary>A recipient not tracked, since when.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.OptOutView")]
public sealed record OptOutView([property: Id(0)] string Email, [property: Id(1)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("Tracking.OptOutPage")]
public sealed record OptOutPage(
    [property: Id(0)] OptOutView[] Data,
    [property: Id(1)] int Limit,
    [property: Id(2)] int Offset,
    [property: Id(3)] bool HasMore);

/// <summary>
/// What a project keeps of each open and click, decided when it is recorded (after it is classified):
/// <see cref="IpStorage"/> full, truncated or none; the user agent and the referer, or not; and for how many
/// days events are kept, and emails' bodies and attachments.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tracking.PrivacySettings")]
public sealed record PrivacySettings(
    [property: Id(0)] string IpStorage,
    [property: Id(1)] bool KeepUserAgent,
    [property: Id(2)] bool KeepReferer,
    [property: Id(3)] int RetentionDays = 90,
    [property: Id(4)] int ContentRetentionDays = 90);

/// <summary><c>PATCH /v1/privacy</c>: what is given changes.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.PrivacyDraft")]
public sealed record PrivacyDraft(
    [property: Id(0)] string? IpStorage = null,
    [property: Id(1)] bool? KeepUserAgent = null,
    [property: Id(2)] bool? KeepReferer = null,
    [property: Id(3)] int? RetentionDays = null,
    [property: Id(4)] int? ContentRetentionDays = null);
