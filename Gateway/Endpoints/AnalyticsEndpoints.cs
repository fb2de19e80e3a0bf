using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

/// <summary>The Events API and the analytics API.</summary>
public static class AnalyticsEndpoints
{
    public static void MapAnalytics(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/v1/events").RequireApiKey().WithTags("Events");
        events.MapGet("/", Events).WithSummary("List events, newest first")
            .WithDescription("Sent, delivered, failed, opened and clicked, with the IP address, user agent, referer and link where they apply.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        events.MapGet("/stream", EventStream.Follow).WithSummary("Follow the project's events as they happen (Server-Sent Events)")
            .WithDescription("Each event's SSE id is a cursor: reconnect with Last-Event-ID to go on after it, with no event missed " +
                "or repeated. Without it the stream starts now.")
            .Produces<EventItem>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status429TooManyRequests);
        var metrics = app.MapGroup("/v1/metrics").RequireApiKey().WithTags("Metrics");
        metrics.MapGet("/", Metrics).WithSummary("Counts and rates, with a series by day or hour")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        metrics.MapGet("/links", Links).WithSummary("Clicks per link").ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        metrics.MapGet("/clients", Clients).WithSummary("Opens and clicks by client: name, operating system and device")
            .WithDescription("With how many of them were people's, not machines'.").ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
    }

    static async Task<Results<Ok<EventPage>, ProblemHttpResult>> Events([AsParameters] EventParameters query, HttpContext http, IGrainFactory grains)
    {
        var check = new QueryCheck();
        var days = check.WholeNumber("days", query.Days, 7, 1, 90);
        var limit = check.WholeNumber("limit", query.Limit, 50, 1, 100);
        var offset = check.Offset(query.Offset, query.Cursor);
        var emailId = check.Id("email_id", query.EmailId, "an email id");
        var type = check.OneOf("event_type", query.EventType, EventTypes.All);
        if (check.Failed(out var problem)) return problem;

        var page = await grains.GetGrain<IProjectGrain>(AuthenticatedProject.Of(http))
            .ListEvents(new EventQuery(emailId, type, days, limit, offset, query.Cursor));
        return page is Done<EventPage> done ? TypedResults.Ok(done.Value) : ApiProblems.Refused(page, "Invalid query parameter", "");
    }

    static async Task<Results<Ok<MetricsReport>, ProblemHttpResult>> Metrics([AsParameters] MetricsParameters parameters, HttpContext http,
        IGrainFactory grains) =>
        Check(parameters, out var query) is { } problem
            ? problem
            : TypedResults.Ok(await grains.GetGrain<IProjectMetricsGrain>(AuthenticatedProject.Of(http)).Report(query));

    static async Task<Results<Ok<Listed<LinkMetrics>>, ProblemHttpResult>> Links([AsParameters] MetricsParameters parameters, HttpContext http,
        IGrainFactory grains) =>
        Check(parameters, out var query) is { } problem
            ? problem
            : TypedResults.Ok(new Listed<LinkMetrics>(await grains.GetGrain<IProjectMetricsGrain>(AuthenticatedProject.Of(http)).Links(query)));

    static async Task<Results<Ok<Listed<ClientMetrics>>, ProblemHttpResult>> Clients([AsParameters] MetricsParameters parameters, HttpContext http,
        IGrainFactory grains) =>
        Check(parameters, out var query) is { } problem
            ? problem
            : TypedResults.Ok(new Listed<ClientMetrics>(await grains.GetGrain<IProjectMetricsGrain>(AuthenticatedProject.Of(http)).Clients(query)));

    static ProblemHttpResult? Check(MetricsParameters parameters, out MetricsQuery query)
    {
        var check = new QueryCheck();
        var days = check.WholeNumber("days", parameters.Days, 7, 1, 90);
        var groupBy = check.OneOf("group_by", parameters.GroupBy, ["day", "hour"]) ?? "day";
        var tag = check.Tag(parameters.Tag);
        var broadcast = check.Id("broadcast_id", parameters.BroadcastId, "a broadcast id");
        if (tag is not null && broadcast is not null) check.Refuse("tag", "cannot be combined with broadcast_id");
        query = new MetricsQuery(days, groupBy, tag, broadcast, check.Flag("exclude_machine", parameters.ExcludeMachine));
        return check.Failed(out var problem) ? problem : null;
    }
}
