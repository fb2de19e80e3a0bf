using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

/// <summary>
/// A project's privacy: <c>/v1/privacy</c>, what is kept of each open and click, and <c>/v1/tracking-opt-outs</c>,
/// recipients whose emails go out untracked, whatever a request asks.
/// </summary>
public static class PrivacyEndpoints
{
    const string NotValid = "The opt-out is not valid";

    public static void MapPrivacy(this IEndpointRouteBuilder app)
    {
        var privacy = app.MapGroup("/v1/privacy").RequireApiKey().WithTags("Privacy");
        privacy.MapGet("/", GetPrivacy).WithSummary("What the project keeps of each open and click");
        privacy.MapPatch("/", UpdatePrivacy).Accepts<PrivacyDraft>("application/json")
            .WithSummary("Change what the project keeps").WithDescription("ip_storage: full, truncated (IPv4 /24, IPv6 /48) or none; " +
                "keep_user_agent, keep_referer. For opens and clicks recorded from now on; their client and machine verdict is made first.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        app.MapOptOuts();

        var tracking = app.MapGroup("/v1/tracking").RequireApiKey().WithTags("Tracking defaults");
        tracking.MapGet("/", async (HttpContext http, IGrainFactory grains) =>
                TypedResults.Ok(await grains.GetGrain<ITrackingDefaultsGrain>(AuthenticatedProject.Of(http)).Get()))
            .WithSummary("What an email's tracking is when its request does not say");
        tracking.MapPatch("/", UpdateTracking).Accepts<TrackingSettings>("application/json")
            .WithSummary("Change the project's tracking defaults").WithDescription("open, click, click_text (true by default) and " +
                "trap_link (false): a hidden link only scanners follow, whose click marks the sender's others.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
    }

    static async Task<Results<Ok<TrackedFlags>, ProblemHttpResult>> UpdateTracking(HttpContext http, IGrainFactory grains)
    {
        var (changes, problem) = await RequestBody.ReadObject<TrackingSettings>(http.Request, "The tracking defaults are not valid");
        if (changes is null) return problem!;
        return TypedResults.Ok(await grains.GetGrain<ITrackingDefaultsGrain>(AuthenticatedProject.Of(http)).Update(changes));
    }

    static async Task<Ok<PrivacySettings>> GetPrivacy(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IPrivacyGrain>(AuthenticatedProject.Of(http)).Get());

    static async Task<Results<Ok<PrivacySettings>, ProblemHttpResult>> UpdatePrivacy(HttpContext http, IGrainFactory grains)
    {
        var (draft, problem) = await RequestBody.ReadObject<PrivacyDraft>(http.Request, "The privacy settings are not valid");
        if (draft is null) return problem!;
        var updated = await grains.GetGrain<IPrivacyGrain>(AuthenticatedProject.Of(http)).Update(draft);
        return updated is Done<PrivacySettings> { Value: var settings }
            ? TypedResults.Ok(settings)
            : ApiProblems.Refused(updated, "The privacy settings are not valid", "");
    }

    static RouteGroupBuilder MapOptOuts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/tracking-opt-outs").RequireApiKey().WithTags("Privacy");
        group.MapPost("/", Add).Accepts<OptOutDraft>("application/json")
            .WithSummary("Stop tracking a recipient").WithDescription("Emails to the address go out with no pixel and no tracked link from now on.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", List).WithSummary("List the recipients not tracked, newest first")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{email}", Remove).WithSummary("Track a recipient again").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    static IOptOutsGrain OptOuts(HttpContext http, IGrainFactory grains) => grains.GetGrain<IOptOutsGrain>(AuthenticatedProject.Of(http));

    static async Task<Results<Created<OptOutView>, ProblemHttpResult>> Add(HttpContext http, IGrainFactory grains)
    {
        var (draft, problem) = await RequestBody.ReadObject<OptOutDraft>(http.Request, NotValid);
        if (draft is null) return problem!;
        var added = await OptOuts(http, grains).Add(draft);
        return added is Done<OptOutView> { Value: var view }
            ? TypedResults.Created($"/v1/tracking-opt-outs/{Uri.EscapeDataString(view.Email)}", view)
            : ApiProblems.Refused(added, NotValid, "");
    }

    static async Task<Results<Ok<OptOutPage>, ProblemHttpResult>> List([AsParameters] OffsetPageParameters query, HttpContext http, IGrainFactory grains)
    {
        var check = new QueryCheck();
        var limit = check.WholeNumber("limit", query.Limit, 50, 1, 100);
        var offset = check.Offset(query.Offset, cursor: null, hasCursor: false);
        if (check.Failed(out var problem)) return problem;
        return TypedResults.Ok(await OptOuts(http, grains).List(limit, offset));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Remove(string email, HttpContext http, IGrainFactory grains) =>
        await OptOuts(http, grains).Remove(email)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"'{email}' is not opted out.");
}
