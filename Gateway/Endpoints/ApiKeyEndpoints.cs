using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

public static class ApiKeyEndpoints
{
    const string NotValid = "The API key is not valid";

    public static RouteGroupBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/api-keys").RequireApiKey().WithTags("API keys");
        group.MapPost("/", Create).Accepts<ApiKeyDraft>("application/json")
            .WithSummary("Make an API key").WithDescription("permission: full_access (the default) or sending_access, which may " +
                "only send (POST /v1/emails, /v1/emails/batch, /v1/broadcasts). The key is in this answer only.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", List).WithSummary("List the project's API keys").WithDescription("Never the keys, only their first characters.");
        group.MapDelete("/{id}", Revoke).WithSummary("Revoke an API key").WithDescription("Every Gateway refuses it within seconds.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    static IApiKeysGrain Keys(HttpContext http, IGrainFactory grains) => grains.GetGrain<IApiKeysGrain>(AuthenticatedProject.Of(http));

    static async Task<Results<Created<ApiKeyCreated>, ProblemHttpResult>> Create(HttpContext http, IGrainFactory grains)
    {
        var (draft, problem) = await RequestBody.ReadObject<ApiKeyDraft>(http.Request, NotValid);
        if (draft is null) return problem!;
        var created = await Keys(http, grains).Create(draft);
        return created is Done<ApiKeyCreated> { Value: var key }
            ? TypedResults.Created($"/v1/api-keys/{key.Id}", key)
            : ApiProblems.Refused(created, NotValid, "");
    }

    static async Task<Ok<Listed<ApiKeyView>>> List(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(new Listed<ApiKeyView>(await Keys(http, grains).List()));

    static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string id, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var keyId) && await Keys(http, grains).Revoke(keyId)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"No API key with id '{id}'.");
}
