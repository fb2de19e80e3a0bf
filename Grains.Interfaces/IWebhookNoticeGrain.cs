namespace Tracking.Contracts;

/// <summary>Takes a project's event notices off its stream for the webhooks (keyed by project id).</summary>
[Alias("Tracking.IWebhookNoticeGrain")]
public interface IWebhookNoticeGrain : IGrainWithGuidKey
{
    [Alias("Accept")] Task Accept(EventNotice notice);
}
