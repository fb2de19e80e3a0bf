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
