namespace Tracking.Contracts;

/// <summary>The body of <c>POST /v1/emails</c>, as the client sent it (validated by the email grain).</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EmailDraft")]
public sealed record EmailDraft
{
    [Id(0)] public string? From { get; init; }
    [Id(1)] public string[]? To { get; init; }
    [Id(2)] public string? Subject { get; init; }
    [Id(3)] public string? Html { get; init; }
    [Id(4)] public string? Text { get; init; }
    [Id(5)] public string[]? Cc { get; init; }
    [Id(6)] public string[]? Bcc { get; init; }
    [Id(7)] public string[]? ReplyTo { get; init; }
    [Id(8)] public Dictionary<string, string>? Headers { get; init; }
    [Id(9)] public EmailTag[]? Tags { get; init; }
    [Id(10)] public TrackingSettings? Tracking { get; init; }
    [Id(11)] public EmailAttachment[]? Attachments { get; init; }
}

/// <summary>A file sent with an email; <see cref="Content"/> is base64.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EmailAttachment")]
public sealed record EmailAttachment(
    [property: Id(0)] string? Filename,
    [property: Id(1)] string? Content,
    [property: Id(2)] string? ContentType);

[GenerateSerializer, Immutable, Alias("Tracking.EmailTag")]
public sealed record EmailTag([property: Id(0)] string? Name, [property: Id(1)] string? Value);

[GenerateSerializer, Immutable, Alias("Tracking.TrackingSettings")]
public sealed record TrackingSettings(
    [property: Id(0)] bool? Open = null,
    [property: Id(1)] bool? Click = null,
    [property: Id(2)] bool? ClickText = null,
    [property: Id(3)] bool? TrapLink = null);

/// <summary>An accepted email; <see cref="Replayed"/> when an earlier request with the same Idempotency-Key made it.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EmailAccepted")]
public sealed record EmailAccepted([property: Id(0)] EmailView Email, [property: Id(1)] bool Replayed);

/// <summary>An email as <c>GET /v1/emails/{id}</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EmailView")]
public sealed record EmailView
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string From { get; init; }
    [Id(2)] public required string[] To { get; init; }
    [Id(3)] public required string[] Cc { get; init; }
    [Id(4)] public required string[] Bcc { get; init; }
    [Id(5)] public required string[] ReplyTo { get; init; }
    [Id(6)] public required string Subject { get; init; }
    [Id(7)] public string? Html { get; init; }
    [Id(8)] public string? Text { get; init; }
    [Id(9)] public required Dictionary<string, string> Headers { get; init; }
    [Id(10)] public required EmailTag[] Tags { get; init; }
    [Id(11)] public required TrackedFlags Tracking { get; init; }
    [Id(12)] public required string Status { get; init; }
    [Id(13)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(14)] public DateTimeOffset? OpenedAt { get; init; }
    [Id(15)] public DateTimeOffset? ClickedAt { get; init; }
    [Id(16)] public int OpenCount { get; init; }
    [Id(17)] public int ClickCount { get; init; }
    [Id(18)] public required LinkClicks[] Links { get; init; }
    [Id(19)] public Guid? BroadcastId { get; init; }
    [Id(20)] public required string MessageId { get; init; }
    [Id(21)] public int Attempts { get; init; }
    [Id(22)] public string? LastError { get; init; }
    [Id(23)] public string? SmtpResponse { get; init; }
    [Id(24)] public DateTimeOffset? SentAt { get; init; }
    [Id(25)] public required AttachmentInfo[] Attachments { get; init; }
}

[GenerateSerializer, Immutable, Alias("Tracking.AttachmentInfo")]
public sealed record AttachmentInfo([property: Id(0)] string Filename, [property: Id(1)] string ContentType, [property: Id(2)] int Size);

/// <summary>One row of <c>GET /v1/emails</c>.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EmailSummary")]
public sealed record EmailSummary(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string From,
    [property: Id(2)] string[] To,
    [property: Id(3)] string Subject,
    [property: Id(4)] string Status,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] Guid? BroadcastId);

/// <summary>
/// Which emails a list shows: <c>Search</c> is text found in a recipient or the subject (any case), <c>Tag</c> a
/// tag as name:value.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tracking.EmailQuery")]
public sealed record EmailQuery(
    [property: Id(0)] int Limit,
    [property: Id(1)] int Offset,
    [property: Id(2)] string? Cursor,
    [property: Id(3)] string? Search = null,
    [property: Id(4)] string? Tag = null);

[GenerateSerializer, Immutable, Alias("Tracking.EmailPage")]
public sealed record EmailPage(
    [property: Id(0)] EmailSummary[] Data,
    [property: Id(1)] int Limit,
    [property: Id(2)] int Offset,
    [property: Id(3)] bool HasMore,
    [property: Id(4)] string? NextCursor = null);

[GenerateSerializer, Immutable, Alias("Tracking.TrackedFlags")]
public sealed record TrackedFlags([property: Id(0)] bool Open, [property: Id(1)] bool Click, [property: Id(2)] bool ClickText = true,
    [property: Id(3)] bool TrapLink = false);

[GenerateSerializer, Immutable, Alias("Tracking.LinkClicks")]
public sealed record LinkClicks([property: Id(0)] string Url, [property: Id(1)] int ClickCount);
