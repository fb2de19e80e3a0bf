using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

public static class BroadcastEndpoints
{
    const string NotValid = "The broadcast is not valid";

    public static RouteGroupBuilder MapBroadcasts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/broadcasts").RequireApiKey().WithTags("Broadcasts");
        group.MapPost("/", Create).Accepts<BroadcastDraft>("application/json").WithMetadata(new SendingAllowed())
            .WithSummary("Send one content to many recipients").WithDescription("Each recipient gets an email of its own; " +
                "its click links carry its tid.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}", Get).WithSummary("Get a broadcast, with its emails' statuses").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    static async Task<Results<Ok<BroadcastCreated>, ProblemHttpResult>> Create(HttpContext http, IGrainFactory grains)
    {
        var (draft, problem) = await RequestBody.ReadObject<BroadcastDraft>(http.Request, NotValid);
        if (draft is null) return problem!;
        var created = await grains.GetGrain<IBroadcastGrain>(Guid.NewGuid()).Create(AuthenticatedProject.Of(http), draft);
        return created is Done<BroadcastCreated> { Value: var broadcast }
            ? TypedResults.Ok(broadcast)
            : ApiProblems.Refused(created, NotValid, "");
    }

    static async Task<Results<Ok<BroadcastView>, ProblemHttpResult>> Get(string id, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var broadcastId) && await grains.GetGrain<IBroadcastGrain>(broadcastId).Get(AuthenticatedProject.Of(http)) is { } broadcast
            ? TypedResults.Ok(broadcast)
            : ApiProblems.NotFound($"No broadcast with id '{id}'.");
}
