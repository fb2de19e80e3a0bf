namespace Tracking.Contracts;

/// <summary>Consumes a project's event stream and turns events into webhook deliveries (keyed by project id).</summary>
[Alias("Tracking.IWebhookDispatcherGrain")]
public interface IWebhookDispatcherGrain : IGrainWithGuidKey
{
    [Alias("Dispatch")] Task Dispatch(EventNotice notice);
}
