using Tracking.Contracts;
namespace Tracking.Gateway.Endpoints;

public static class WebhookEndpoints
{
    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").RequireApiKey();
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPatch("/{id}", Update);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/rotate-secret", Rotate);
        group.MapGet("/{id}/deliveries", Deliveries);
        group.MapPost("/{id}/deliveries/{deliveryId}/retry", Retry);
        return group;
    }

    static IWebhooksGrain Webhooks(HttpContext http, IGrainFactory grains) =>
        grains.GetGrain<IWebhooksGrain>(AuthenticatedProject.Of(http));

    static IResult NotFound(string id) => ApiProblems.NotFound($"No webhook with id '{id}'.");

    static object Shown(WebhookResult result) => new
    {
        result.Webhook!.Id, result.Webhook.Url, result.Webhook.Events, result.Webhook.Enabled,
        result.Webhook.CreatedAt, result.Webhook.DisabledReason, result.Secret,
    };

    static async Task<IResult> Create(HttpContext http, IGrainFactory grains)
    {
        var (draft, problem) = await RequestBody.ReadObject<WebhookDraft>(http.Request, "The webhook is not valid");
        if (draft is null) return problem!;
        var result = await Webhooks(http, grains).Create(draft);
        return result.Errors is { Count: > 0 }
            ? RequestBody.Invalid(result.Errors, "The webhook is not valid")
            : TypedResults.Created($"/v1/webhooks/{result.Webhook!.Id}", Shown(result));
    }

    static async Task<IResult> List(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(new { Data = await Webhooks(http, grains).List() });

    static async Task<IResult> Get(string id, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var webhookId) && await Webhooks(http, grains).Get(webhookId) is { } view
            ? TypedResults.Ok(view)
            : NotFound(id);

    static async Task<IResult> Update(string id, HttpContext http, IGrainFactory grains)
    {
        if (!Guid.TryParse(id, out var webhookId)) return NotFound(id);
        var (patch, problem) = await RequestBody.ReadObject<WebhookDraft>(http.Request, "The webhook is not valid");
        if (patch is null) return problem!;
        var result = await Webhooks(http, grains).Update(webhookId, patch);
        if (result is null) return NotFound(id);
        return result.Errors is { Count: > 0 } ? RequestBody.Invalid(result.Errors, "The webhook is not valid") : TypedResults.Ok(result.Webhook);
    }

    static async Task<IResult> Delete(string id, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var webhookId) && await Webhooks(http, grains).Delete(webhookId)
            ? TypedResults.NoContent()
            : NotFound(id);

    static async Task<IResult> Rotate(string id, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var webhookId) && await Webhooks(http, grains).RotateSecret(webhookId) is { } result
            ? TypedResults.Ok(Shown(result))
            : NotFound(id);

    static async Task<IResult> Deliveries(string id, HttpContext http, IGrainFactory grains)
    {
        if (!RequestBody.TryQueryInt(http.Request, "limit", 20, 1, 100, out var limit, out var problem)
            || !RequestBody.TryQueryOffset(http.Request, out var offset, out problem, hasCursor: false))
            return problem!;
        return Guid.TryParse(id, out var webhookId) && await Webhooks(http, grains).Deliveries(webhookId, limit, offset) is { } page
            ? TypedResults.Ok(page)
            : NotFound(id);
    }

    static async Task<IResult> Retry(string id, string deliveryId, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var webhookId) && Guid.TryParse(deliveryId, out var delivery)
        && await Webhooks(http, grains).Retry(webhookId, delivery)
            ? TypedResults.Accepted((string?)null)
            : ApiProblems.NotFound($"No delivery '{deliveryId}' of webhook '{id}'.");
}
