using Microsoft.Extensions.Logging;

namespace Tracking.Grains;

/// <summary>The silo's log lines, source-generated: structured, and nothing formatted unless the level is on.</summary>
static partial class LogMessages
{
    [LoggerMessage(1001, LogLevel.Warning, "Could not save the snapshot of email {EmailId}; its events are durable and it is tried again")]
    public static partial void SnapshotNotSaved(this ILogger log, Exception ex, Guid emailId);

    [LoggerMessage(1002, LogLevel.Error, "{Count} opens and clicks were not recorded")]
    public static partial void EngagementsNotRecorded(this ILogger log, Exception ex, int count);

    [LoggerMessage(1003, LogLevel.Error, "Click on email {EmailId} could not be checked")]
    public static partial void ClickNotChecked(this ILogger log, Exception ex, Guid emailId);

    [LoggerMessage(1004, LogLevel.Error, "Could not commit {Count} events")]
    public static partial void EventsNotCommitted(this ILogger log, Exception ex, int count);

    [LoggerMessage(1005, LogLevel.Warning, "Event {EventId} of email {EmailId} could not be stored and is dropped")]
    public static partial void EventDropped(this ILogger log, Exception ex, Guid eventId, Guid emailId);

    [LoggerMessage(1006, LogLevel.Warning, "Connection lost while committing {Count} events; trying again")]
    public static partial void EventCommitRetried(this ILogger log, Exception ex, int count);

    [LoggerMessage(1007, LogLevel.Warning, "Could not close the event log's replaced connection")]
    public static partial void ReplacedConnectionNotClosed(this ILogger log, Exception ex);

    [LoggerMessage(1101, LogLevel.Warning, "Could not save the metrics of project {ProjectId}; trying again with the next")]
    public static partial void MetricsNotSaved(this ILogger log, Exception ex, Guid projectId);

    [LoggerMessage(1008, LogLevel.Warning, "Could not read projects' privacy settings; the event log's insert applies them itself meanwhile")]
    public static partial void PrivacyNotRead(this ILogger log, Exception ex);

    [LoggerMessage(1102, LogLevel.Warning, "Could not mark {Count} clicks of project {ProjectId} a scanner's; they stay a person's")]
    public static partial void ClicksNotRevised(this ILogger log, Exception ex, int count, Guid projectId);

    [LoggerMessage(1201, LogLevel.Information, "No SMTP relay configured (TRACKING_SMTP_HOST): emails are stored, not sent.")]
    public static partial void NoRelay(this ILogger log);

    [LoggerMessage(1202, LogLevel.Error, "Outbox pass failed")]
    public static partial void OutboxPassFailed(this ILogger log, Exception ex);

    [LoggerMessage(1203, LogLevel.Warning, "Delivery of {EmailId} failed ({Kind}): {Reason}")]
    public static partial void DeliveryFailed(this ILogger log, Guid emailId, string kind, string reason);

    [LoggerMessage(1204, LogLevel.Debug, "The SMTP session did not close cleanly; the next message starts a new one")]
    public static partial void SmtpNotClosed(this ILogger log, Exception ex);

    [LoggerMessage(1301, LogLevel.Debug, "Notice of event {EventId} dropped: the queue is full, and the sweep makes its deliveries")]
    public static partial void NoticeDropped(this ILogger log, Guid eventId);

    [LoggerMessage(1302, LogLevel.Warning, "Deliveries of event {EventId} are left to the sweep")]
    public static partial void FanOutLeftToSweep(this ILogger log, Exception ex, Guid eventId);

    [LoggerMessage(1303, LogLevel.Warning, "Could not release the leases of a previous run")]
    public static partial void LeasesNotReleased(this ILogger log, Exception ex);

    [LoggerMessage(1304, LogLevel.Error, "Webhook pass failed")]
    public static partial void WebhookPassFailed(this ILogger log, Exception ex);

    [LoggerMessage(1305, LogLevel.Error, "Webhook delivery {DeliveryId} of event {EventId} could not be recorded")]
    public static partial void DeliveryNotRecorded(this ILogger log, Exception ex, Guid deliveryId, Guid eventId);

    [LoggerMessage(1306, LogLevel.Warning, "Could not reload the webhook subscriptions; the last ones stand")]
    public static partial void SubscriptionsNotReloaded(this ILogger log, Exception ex);

    [LoggerMessage(1307, LogLevel.Information, "Webhook delivery {DeliveryId} of event {EventId} found no HTTP answer")]
    public static partial void NoHttpAnswer(this ILogger log, Exception ex, Guid deliveryId, Guid eventId);

    [LoggerMessage(1402, LogLevel.Warning, "Could not record the use of API key {KeyId}")]
    public static partial void KeyUseNotRecorded(this ILogger log, Exception ex, Guid keyId);

    [LoggerMessage(1401, LogLevel.Warning, "Not ready: the database cannot be reached")]
    public static partial void DatabaseUnreachable(this ILogger log, Exception ex);
}
