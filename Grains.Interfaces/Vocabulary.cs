namespace Tracking.Contracts;

/// <summary>The kinds of event in an email's log, as the API, the webhooks and the database name them.</summary>
public static class EventTypes
{
    /// <summary>Accepted by the API.</summary>
    public const string Sent = "sent";
    /// <summary>Accepted by the SMTP relay.</summary>
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Opened = "opened";
    public const string Clicked = "clicked";

    public static readonly string[] All = [Sent, Delivered, Failed, Opened, Clicked];

    /// <summary>A webhook names an event type under this prefix: <c>email.opened</c>.</summary>
    public const string WebhookPrefix = "email.";

    public static readonly string[] WebhookNames = [.. All.Select(t => WebhookPrefix + t)];
}

/// <summary>
/// Why an open or a click was a machine's, not a person's: Apple Mail Privacy Protection fetching the pixel on
/// delivery, another image prefetcher (or a program fetching it), or a link scanner following the link.
/// </summary>
public static class MachineReasons
{
    public const string ApplePrivacyProxy = "apple_privacy_proxy", Prefetch = "prefetch", LinkScanner = "link_scanner";

    public static readonly string[] All = [ApplePrivacyProxy, Prefetch, LinkScanner];
}

/// <summary>How much of a recipient's IP address a project keeps: all of it, its network (IPv4 /24, IPv6 /48), or none.</summary>
public static class IpStorage
{
    public const string Full = "full", Truncated = "truncated", None = "none";

    public static readonly string[] All = [Full, Truncated, None];
}

/// <summary>Where an email stands: stored (no relay configured), queued, sending, sent or failed.</summary>
public static class EmailStatuses
{
    public const string Stored = "stored", Queued = "queued", Sending = "sending", Sent = "sent", Failed = "failed";
}

/// <summary>Where a webhook delivery stands: pending (waiting for an attempt), sending, delivered or failed.</summary>
public static class DeliveryStatuses
{
    public const string Pending = "pending", Sending = "sending", Delivered = "delivered", Failed = "failed";
}

/// <summary>An event's public id: <c>evt_</c> and its id's 32 hex digits, stable across webhook retries.</summary>
public static class PublicEventId
{
    public const string Prefix = "evt_";

    public static string Of(Guid eventId) => $"{Prefix}{eventId:N}";
}

/// <summary>The grain storage the silo provides and the email grain keeps its snapshot in.</summary>
public static class GrainStorage
{
    public const string Name = "tracking";
}
