using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Tracking.Contracts;

namespace Tracking.Grains.Webhooks;

/// <summary>A project's webhook endpoints. Reentrant: each call is its own statement.</summary>
[Reentrant]
public sealed class WebhooksGrain(WebhookRegistry registry, WebhookUrlPolicy policy, WebhookSender sender, WebhookSubscriptions subscriptions,
    IOptions<WebhookOptions> options) : Grain, IWebhooksGrain
{
    // Creations one at a time, so that two at once cannot both find room under the cap.
    readonly SemaphoreSlim creating = new(1, 1);

    static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    Guid ProjectId => this.GetPrimaryKey();

    public async Task<Outcome<WebhookWithSecret>> Create(WebhookDraft draft)
    {
        var errors = await Validate(draft, creating: true);
        if (errors.Count > 0) return new Invalid<WebhookWithSecret>(errors);
        await creating.WaitAsync();
        try
        {
            var max = options.Value.MaxPerProject;
            if ((await registry.List(ProjectId)).Length >= max)
                return new Invalid<WebhookWithSecret>(new() { ["webhooks"] = [$"a project has at most {max} endpoints; delete one first"] });
            var (view, secret) = await registry.Create(ProjectId, draft.Url!.Trim(), draft.Events!.Distinct().ToArray(), draft.IncludeMachine ?? true);
            subscriptions.Changed();
            return new Done<WebhookWithSecret>(WithSecret(view, secret));
        }
        finally
        {
            creating.Release();
        }
    }

    public Task<WebhookView[]> List() => registry.List(ProjectId);

    public Task<WebhookView?> Get(Guid webhookId) => registry.Get(ProjectId, webhookId);

    public async Task<Outcome<WebhookView>> Update(Guid webhookId, WebhookDraft patch)
    {
        if (await registry.Get(ProjectId, webhookId) is null) return new Missing<WebhookView>();
        var errors = await Validate(patch, creating: false);
        if (errors.Count > 0) return new Invalid<WebhookView>(errors);
        var view = await registry.Update(ProjectId, webhookId, patch.Url?.Trim(), patch.Events?.Distinct().ToArray(), patch.Enabled, patch.IncludeMachine);
        subscriptions.Changed();
        return view is null ? new Missing<WebhookView>() : new Done<WebhookView>(view);
    }

    public async Task<bool> Delete(Guid webhookId)
    {
        var deleted = await registry.Delete(ProjectId, webhookId);
        subscriptions.Changed();
        return deleted;
    }

    public async Task<Outcome<WebhookWithSecret>> RotateSecret(Guid webhookId) =>
        await registry.Rotate(ProjectId, webhookId, RotationOverlap) is { } rotated
            ? new Done<WebhookWithSecret>(WithSecret(rotated.View, rotated.Secret))
            : new Missing<WebhookWithSecret>();

    static WebhookWithSecret WithSecret(WebhookView view, string secret) =>
        new(view.Id, view.Url, view.Events, view.Enabled, view.CreatedAt, view.DisabledReason, secret, view.IncludeMachine);

    public Task<WebhookDeliveryPage?> Deliveries(Guid webhookId, int limit, int offset) => registry.Deliveries(ProjectId, webhookId, limit, offset);

    public async Task<bool> Retry(Guid webhookId, Guid deliveryId)
    {
        if (!await registry.Retry(ProjectId, webhookId, deliveryId)) return false;
        sender.Wake();
        return true;
    }

    async Task<Dictionary<string, string[]>> Validate(WebhookDraft draft, bool creating)
    {
        var errors = new Dictionary<string, string[]>();
        if (creating || draft.Url is not null)
        {
            if (string.IsNullOrWhiteSpace(draft.Url)) errors["url"] = ["is required"];
            else if (await policy.Check(draft.Url.Trim()) is { } problem) errors["url"] = [problem];
        }
        if (creating || draft.Events is not null)
        {
            if (draft.Events is null || draft.Events.Length == 0) errors["events"] = [$"must list one or more of {string.Join(", ", EventTypes.WebhookNames)}"];
            else
                for (var i = 0; i < draft.Events.Length; i++)
                    if (!EventTypes.WebhookNames.Contains(draft.Events[i])) errors[$"events[{i}]"] = [$"must be one of {string.Join(", ", EventTypes.WebhookNames)}"];
        }
        return errors;
    }
}
