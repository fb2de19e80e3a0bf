namespace Tracking.Contracts;

/// <summary>A project's webhook endpoints (keyed by project id).</summary>
[Alias("Tracking.IWebhooksGrain")]
public interface IWebhooksGrain : IGrainWithGuidKey
{
    [Alias("Create")] Task<WebhookResult> Create(WebhookDraft draft);
    [Alias("List")] Task<WebhookView[]> List();
    [Alias("Get")] Task<WebhookView?> Get(Guid webhookId);
    [Alias("Update")] Task<WebhookResult?> Update(Guid webhookId, WebhookDraft patch);
    [Alias("Delete")] Task<bool> Delete(Guid webhookId);
    [Alias("RotateSecret")] Task<WebhookResult?> RotateSecret(Guid webhookId);
    [Alias("Deliveries")] Task<WebhookDeliveryPage?> Deliveries(Guid webhookId, int limit, int offset);
    [Alias("Retry")] Task<bool> Retry(Guid webhookId, Guid deliveryId);
}
