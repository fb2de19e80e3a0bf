using System.Diagnostics.Metrics;
using Tracking.Contracts;

namespace Tracking.Gateway;

/// <summary>
/// The Gateway's instruments, on the meter <see cref="MeterName"/>. ASP.NET Core's own request metrics are
/// not used: listened to, they cost the pixel about a tenth of its rate, even for endpoints that opt out.
/// The API's requests are measured here, by route and status; the tracking endpoints are counted, by kind
/// and status.
/// </summary>
public static class GatewayMetrics
{
    public const string MeterName = "Tracking.Gateway";
    static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Dropped =
        Meter.CreateCounter<long>("tracking.hits.dropped", "{hit}", "Opens and clicks not recorded, by reason");

    static readonly Counter<long> Served = Meter.CreateCounter<long>("tracking.hits.served", "{hit}", "Pixels and clicks answered, by kind and status");

    static readonly KeyValuePair<string, object?> Open = new("kind", "open"), Click = new("kind", "click");
    static readonly Dictionary<int, KeyValuePair<string, object?>> Statuses =
        new[] { 200, 302, 404, 503 }.ToDictionary(s => s, s => new KeyValuePair<string, object?>("status", s));

    static readonly Histogram<double> ApiRequests = Meter.CreateHistogram("tracking.api.request.duration", "s",
        "API requests by route, method and status", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    /// <summary>Measures the API's requests (those under /v1/ but the tracking endpoints, and /readyz).</summary>
    public static IApplicationBuilder UseApiMetrics(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var path = http.Request.Path.Value ?? "";
        if (path.StartsWith(TrackingUrls.OpenRoute, StringComparison.Ordinal) || path.StartsWith(TrackingUrls.ClickRoute, StringComparison.Ordinal))
        {
            await next(http);
            return;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            ApiRequests.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
                new("http.route", route), new("http.request.method", http.Request.Method),
                new("http.response.status_code", http.Response.StatusCode));
        }
    });

    public static void PixelServed() => Served.Add(1, Open, Statuses[200]);

    public static void ClickServed(int status) =>
        Served.Add(1, Click, Statuses.TryGetValue(status, out var tag) ? tag : new("status", status));
}
