using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

public static class WebhookEndpoints
{
    const string NotValid = "The webhook is not valid";

    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").RequireApiKey().WithTags("Webhooks");
        group.MapPost("/", Create).Accepts<WebhookDraft>("application/json")
            .WithSummary("Add a webhook endpoint").WithDescription("Answers its signing secret, shown this once.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", List).WithSummary("List webhook endpoints");
        group.MapGet("/{id}", Get).WithSummary("Get a webhook endpoint").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", Update).Accepts<WebhookDraft>("application/json")
            .WithSummary("Change a webhook endpoint").WithDescription("Fields left out stay as they are.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id}", Delete).WithSummary("Delete a webhook endpoint").WithDescription("Its pending deliveries end as failed.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/rotate-secret", Rotate).WithSummary("Rotate a webhook's signing secret")
            .WithDescription("Answers the new secret, shown this once; for 24 hours deliveries are signed with both.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/deliveries", Deliveries).WithSummary("List a webhook's deliveries, newest first")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{id}/deliveries/{deliveryId}/retry", Retry).WithSummary("Attempt a delivery again now")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    static IWebhooksGrain Webhooks(HttpContext http, IGrainFactory grains) =>
        grains.GetGrain<IWebhooksGrain>(AuthenticatedProject.Of(http));

    static ProblemHttpResult NotFound(string id) => ApiProblems.NotFound($"No webhook with id '{id}'.");

    static async Task<Results<Created<WebhookWithSecret>, ProblemHttpResult>> Create(HttpContext http, IGrainFactory grains)
    {
        var (draft, problem) = await RequestBody.ReadObject<WebhookDraft>(http.Request, NotValid);
        if (draft is null) return problem!;
        var created = await Webhooks(http, grains).Create(draft);
        return created is Done<WebhookWithSecret> { Value: var webhook }
            ? TypedResults.Created($"/v1/webhooks/{webhook.Id}", webhook)
            : ApiProblems.Refused(created, NotValid, "");
    }

    static async Task<Ok<Listed<WebhookView>>> List(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(new Listed<WebhookView>(await Webhooks(http, grains).List()));

    static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> Get(string id, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var webhookId) && await Webhooks(http, grains).Get(webhookId) is { } view
            ? TypedResults.Ok(view)
            : NotFound(id);

    static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> Update(string id, HttpContext http, IGrainFactory grains)
    {
        if (!Guid.TryParse(id, out var webhookId)) return NotFound(id);
        var (patch, problem) = await RequestBody.ReadObject<WebhookDraft>(http.Request, NotValid);
        if (patch is null) return problem!;
        var updated = await Webhooks(http, grains).Update(webhookId, patch);
        return updated is Done<WebhookView> { Value: var view } ? TypedResults.Ok(view) : ApiProblems.Refused(updated, NotValid, $"No webhook with id '{id}'.");
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var webhookId) && await Webhooks(http, grains).Delete(webhookId)
            ? TypedResults.NoContent()
            : NotFound(id);

    static async Task<Results<Ok<WebhookWithSecret>, ProblemHttpResult>> Rotate(string id, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var webhookId) && await Webhooks(http, grains).RotateSecret(webhookId) is Done<WebhookWithSecret> { Value: var webhook }
            ? TypedResults.Ok(webhook)
            : NotFound(id);

    static async Task<Results<Ok<WebhookDeliveryPage>, ProblemHttpResult>> Deliveries(string id, [AsParameters] OffsetPageParameters query,
        HttpContext http, IGrainFactory grains)
    {
        var check = new QueryCheck();
        var pageSize = check.WholeNumber("limit", query.Limit, 20, 1, 100);
        var skip = check.Offset(query.Offset, cursor: null, hasCursor: false);
        if (check.Failed(out var problem)) return problem;
        return Guid.TryParse(id, out var webhookId) && await Webhooks(http, grains).Deliveries(webhookId, pageSize, skip) is { } page
            ? TypedResults.Ok(page)
            : NotFound(id);
    }

    static async Task<Results<Accepted, ProblemHttpResult>> Retry(string id, string deliveryId, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var webhookId) && Guid.TryParse(deliveryId, out var delivery)
        && await Webhooks(http, grains).Retry(webhookId, delivery)
            ? TypedResults.Accepted((string?)null)
            : ApiProblems.NotFound($"No delivery '{deliveryId}' of webhook '{id}'.");
}
