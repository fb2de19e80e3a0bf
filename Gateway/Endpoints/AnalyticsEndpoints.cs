using System.Text.RegularExpressions;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

/// <summary>The Events API and the analytics API.</summary>
public static partial class AnalyticsEndpoints
{

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}:[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex TagFilter();

    public static void MapAnalytics(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/events").RequireApiKey().MapGet("/", Events);
        var metrics = app.MapGroup("/v1/metrics").RequireApiKey();
        metrics.MapGet("/", Metrics);
        metrics.MapGet("/links", Links);
    }

    static async Task<IResult> Events(HttpContext http, IGrainFactory grains)
    {
        var request = http.Request;
        if (!RequestBody.TryQueryInt(request, "days", 7, 1, 90, out var days, out var problem)
            || !RequestBody.TryQueryInt(request, "limit", 50, 1, 100, out var limit, out problem)
            || !RequestBody.TryQueryOffset(request, out var offset, out problem))
            return problem!;
        Guid? emailId = null;
        if (Single(request, "email_id") is { } rawId)
        {
            if (!Guid.TryParse(rawId, out var parsed)) return Invalid("email_id", "must be an email id");
            emailId = parsed;
        }
        var type = Single(request, "event_type");
        if (type is not null && !EventTypes.All.Contains(type)) return Invalid("event_type", $"must be one of {string.Join(", ", EventTypes.All)}");
        var cursor = Single(request, "cursor");
        if (cursor is not null && offset != 0) return Invalid("offset", "cannot be combined with cursor");

        var page = await grains.GetGrain<IProjectGrain>(AuthenticatedProject.Of(http))
            .ListEvents(new EventQuery(emailId, type, days, limit, offset, cursor));
        return page is null ? Invalid("cursor", "is not a cursor from a previous page") : TypedResults.Ok(page);
    }

    static async Task<IResult> Metrics(HttpContext http, IGrainFactory grains) =>
        ReadQuery(http.Request, out var query) is { } problem
            ? problem
            : TypedResults.Ok(await grains.GetGrain<IProjectMetricsGrain>(AuthenticatedProject.Of(http)).Report(query));

    static async Task<IResult> Links(HttpContext http, IGrainFactory grains) =>
        ReadQuery(http.Request, out var query) is { } problem
            ? problem
            : TypedResults.Ok(new { Data = await grains.GetGrain<IProjectMetricsGrain>(AuthenticatedProject.Of(http)).Links(query) });

    static IResult? ReadQuery(HttpRequest request, out MetricsQuery query)
    {
        query = null!;
        if (!RequestBody.TryQueryInt(request, "days", 7, 1, 90, out var days, out var problem)) return problem;
        var groupBy = Single(request, "group_by") ?? "day";
        if (groupBy is not ("day" or "hour")) return Invalid("group_by", "must be day or hour");
        var tag = Single(request, "tag");
        if (tag is not null && !TagFilter().IsMatch(tag)) return Invalid("tag", "must be name:value");
        Guid? broadcast = null;
        if (Single(request, "broadcast_id") is { } raw)
        {
            if (!Guid.TryParse(raw, out var parsed)) return Invalid("broadcast_id", "must be a broadcast id");
            broadcast = parsed;
        }
        if (tag is not null && broadcast is not null) return Invalid("tag", "cannot be combined with broadcast_id");
        query = new MetricsQuery(days, groupBy, tag, broadcast);
        return null;
    }

    static string? Single(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    static IResult Invalid(string parameter, string message) =>
        RequestBody.Invalid(new() { [parameter] = [message] }, "Invalid query parameter");
}
