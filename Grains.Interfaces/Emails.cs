namespace Tracking.Contracts;

/// <summary>The body of <c>POST /v1/emails</c>, as the client sent it (validated by the email grain).</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EmailDraft")]
public sealed record EmailDraft(
    [property: Id(0)] string? From,
    [property: Id(1)] string[]? To,
    [property: Id(2)] string? Subject,
    [property: Id(3)] string? Html,
    [property: Id(4)] string? Text,
    [property: Id(5)] string[]? Cc,
    [property: Id(6)] string[]? Bcc,
    [property: Id(7)] string[]? ReplyTo,
    [property: Id(8)] Dictionary<string, string>? Headers,
    [property: Id(9)] EmailTag[]? Tags,
    [property: Id(10)] TrackingSettings? Tracking,
    [property: Id(11)] EmailAttachment[]? Attachments = null);

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
    [property: Id(2)] bool? ClickText = null);

/// <summary>What creating an email answered: either the accepted email or the reasons it was refused.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EmailCreation")]
public sealed record EmailCreation(
    [property: Id(0)] EmailView? Email,
    [property: Id(1)] Dictionary<string, string[]>? Errors,
    // Set when the id's email was made by another request (an Idempotency-Key used twice).
    [property: Id(2)] string? Conflict = null,
    // Set when the email was made before, by the same request: a retry.
    [property: Id(3)] bool Replayed = false);

/// <summary>An email as <c>GET /v1/emails/{id}</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EmailView")]
public sealed record EmailView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string From,
    [property: Id(2)] string[] To,
    [property: Id(3)] string[] Cc,
    [property: Id(4)] string[] Bcc,
    [property: Id(5)] string[] ReplyTo,
    [property: Id(6)] string Subject,
    [property: Id(7)] string? Html,
    [property: Id(8)] string? Text,
    [property: Id(9)] Dictionary<string, string> Headers,
    [property: Id(10)] EmailTag[] Tags,
    [property: Id(11)] TrackedFlags Tracking,
    [property: Id(12)] string Status,
    [property: Id(13)] DateTimeOffset CreatedAt,
    [property: Id(14)] DateTimeOffset? OpenedAt,
    [property: Id(15)] DateTimeOffset? ClickedAt,
    [property: Id(16)] int OpenCount,
    [property: Id(17)] int ClickCount,
    [property: Id(18)] LinkClicks[] Links,
    [property: Id(19)] Guid? BroadcastId,
    [property: Id(20)] string MessageId,
    [property: Id(21)] int Attempts,
    [property: Id(22)] string? LastError,
    [property: Id(23)] string? SmtpResponse,
    [property: Id(24)] DateTimeOffset? SentAt,
    [property: Id(25)] AttachmentInfo[] Attachments);

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

[GenerateSerializer, Immutable, Alias("Tracking.EmailPage")]
public sealed record EmailPage(
    [property: Id(0)] EmailSummary[] Data,
    [property: Id(1)] int Limit,
    [property: Id(2)] int Offset,
    [property: Id(3)] bool HasMore,
    [property: Id(4)] string? NextCursor = null);

[GenerateSerializer, Immutable, Alias("Tracking.TrackedFlags")]
public sealed record TrackedFlags([property: Id(0)] bool Open, [property: Id(1)] bool Click, [property: Id(2)] bool ClickText = true);

[GenerateSerializer, Immutable, Alias("Tracking.LinkClicks")]
public sealed record LinkClicks([property: Id(0)] string Url, [property: Id(1)] int ClickCount);
