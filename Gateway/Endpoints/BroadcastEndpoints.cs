using Tracking.Contracts;
namespace Tracking.Gateway.Endpoints;

public static class BroadcastEndpoints
{
    public static RouteGroupBuilder MapBroadcasts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/broadcasts").RequireApiKey();
        group.MapPost("/", Create);
        group.MapGet("/{id}", Get);
        return group;
    }

    static async Task<IResult> Create(HttpContext http, IGrainFactory grains)
    {
        var (draft, problem) = await RequestBody.ReadObject<BroadcastDraft>(http.Request, "The broadcast is not valid");
        if (draft is null) return problem!;

        var created = await grains.GetGrain<IBroadcastGrain>(Guid.NewGuid()).Create(AuthenticatedProject.Of(http), draft);
        if (created.Errors is { Count: > 0 }) return RequestBody.Invalid(created.Errors, "The broadcast is not valid");
        var broadcast = created.Broadcast!;
        return TypedResults.Ok(new { broadcast.Id, broadcast.Recipients, broadcast.CreatedAt, created.Emails });
    }

    static async Task<IResult> Get(string id, HttpContext http, IGrainFactory grains)
    {
        var broadcast = Guid.TryParse(id, out var broadcastId)
            ? await grains.GetGrain<IBroadcastGrain>(broadcastId).Get(AuthenticatedProject.Of(http))
            : null;
        return broadcast is null
            ? ApiProblems.NotFound($"No broadcast with id '{id}'.")
            : TypedResults.Ok(broadcast);
    }
}
