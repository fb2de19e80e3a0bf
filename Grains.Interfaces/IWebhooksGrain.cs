namespace Tracking.Contracts;

/// <summary>A project's webhook endpoints (keyed by project id).</summary>
[Alias("Tracking.IWebhooksGrain")]
public interface IWebhooksGrain : IGrainWithGuidKey
{
    [Alias("Create")] Task<Outcome<WebhookWithSecret>> Create(WebhookDraft draft);
    [Alias("List")] Task<WebhookView[]> List();
    [Alias("Get")] Task<WebhookView?> Get(Guid webhookId);
    [Alias("Update")] Task<Outcome<WebhookView>> Update(Guid webhookId, WebhookDraft patch);
    /// <summary>False when the project has no such webhook.</summary>
    [Alias("Delete")] Task<bool> Delete(Guid webhookId);
    [Alias("RotateSecret")] Task<Outcome<WebhookWithSecret>> RotateSecret(Guid webhookId);
    /// <summary>Null when the project has no such webhook.</summary>
    [Alias("Deliveries")] Task<WebhookDeliveryPage?> Deliveries(Guid webhookId, int limit, int offset);
    /// <summary>False when the project has no such delivery.</summary>
    [Alias("Retry")] Task<bool> Retry(Guid webhookId, Guid deliveryId);
}
