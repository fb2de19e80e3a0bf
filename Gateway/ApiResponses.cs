using System.Text.Json.Serialization;

namespace Tracking.Gateway;

/// <summary>What <c>POST /v1/emails</c> answers: the email accepted.</summary>
public sealed record EmailSent(Guid Id, string From, string[] To, DateTimeOffset CreatedAt);

/// <summary>One item of <c>POST /v1/emails/batch</c>'s answer: its email's id, or why it was refused.</summary>
public sealed record BatchItem(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, string[]>? Errors);

/// <summary>A list, under <c>data</c>.</summary>
public sealed record Listed<T>(T[] Data);
