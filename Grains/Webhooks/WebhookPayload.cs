using System.Text.Json;
using System.Text.Json.Serialization;
using Tracking.Contracts;
using Tracking.Grains.Events;

namespace Tracking.Grains.Webhooks;

/// <summary>
/// The body of a webhook delivery, fixed when the delivery is made so that every attempt sends the same
/// bytes. Written with the API's JSON (snake_case, RFC 3339 UTC timestamps); empty fields are left out.
/// </summary>
public sealed record WebhookPayload(string Id, string Type, DateTimeOffset CreatedAt, WebhookPayloadData Data)
{
    static readonly JsonSerializerOptions Json = new(ApiJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static WebhookPayload Of(NotifiableEvent notifiable)
    {
        var (e, email) = notifiable;
        return new(PublicEventId.Of(e.Id), EventTypes.WebhookPrefix + e.Type, e.CreatedAt, new WebhookPayloadData
        {
            EmailId = e.EmailId,
            BroadcastId = email.BroadcastId,
            From = email.From,
            To = email.To,
            Subject = email.Subject,
            Tags = email.Tags,
            IpAddress = e.IpAddress,
            UserAgent = e.UserAgent,
            Link = e.Link,
            Referer = e.Referer,
            Client = e.Client,
            Machine = e.Machine,
            OpenedAt = e.Type == EventTypes.Opened ? e.CreatedAt : null,
            ClickedAt = e.Type == EventTypes.Clicked ? e.CreatedAt : null,
            SmtpResponse = e.Type == EventTypes.Delivered ? email.SmtpResponse : null,
            Reason = e.Type == EventTypes.Failed ? email.LastError : null,
        });
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>What a webhook event tells of the email, and of the open or click when it is one.</summary>
public sealed record WebhookPayloadData
{
    public required Guid EmailId { get; init; }
    public Guid? BroadcastId { get; init; }
    public required string From { get; init; }
    public required string[] To { get; init; }
    public required string Subject { get; init; }
    public required EmailTag[] Tags { get; init; }
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
    public string? Link { get; init; }
    public string? Referer { get; init; }
    public EventClient? Client { get; init; }
    /// <summary>Null for a person; written for opens and clicks even then, so a receiver can tell.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Machine { get; init; }
    public DateTimeOffset? OpenedAt { get; init; }
    public DateTimeOffset? ClickedAt { get; init; }
    public string? SmtpResponse { get; init; }
    public string? Reason { get; init; }
}
