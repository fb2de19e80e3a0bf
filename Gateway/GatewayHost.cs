using Microsoft.AspNetCore.HttpOverrides;
using OpenTelemetry.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Tracking.Gateway.Endpoints;
using Tracking.Contracts;

namespace Tracking.Gateway;

/// <summary>
/// The Gateway's HTTP side: its services and endpoints. It runs in its own process as a client of the
/// cluster (Program.cs), or inside a silo's process, which then composes it (the one-process mode).
/// </summary>
public static class GatewayHost
{
    /// <param name="siloInProcess">
    /// Whether the silo runs in this process: grain calls then skip the socket and serialization between
    /// Gateway and Silo, and there are no other silos to spread hits over.
    /// </param>
    /// <param name="alsoListenOn">Further URLs to listen on, besides the Gateway's (an operator's port).</param>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder, bool siloInProcess, params string[] alsoListenOn)
    {
        builder.WebHost.UseUrls([.. (Environment.GetEnvironmentVariable("TRACKING_URLS") ?? builder.Configuration["Urls"] ?? "http://127.0.0.1:8080").Split(';'),
            .. alsoListenOn]);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("Orleans", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning)
            // Its per-request log scope and Activity cost every pixel, and it logs nothing at Warning.
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        // The short names the README documents; the standard Gateway__Key variables work as well.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:TrackRateLimit"] = Environment.GetEnvironmentVariable("TRACKING_TRACK_RATE_LIMIT") ?? builder.Configuration["Gateway:TrackRateLimit"],
            ["Gateway:AuthFailuresPerMinute"] = Environment.GetEnvironmentVariable("TRACKING_AUTH_FAILURE_LIMIT") ?? builder.Configuration["Gateway:AuthFailuresPerMinute"],
        }.Where(kv => kv.Value is not null));
        var services = builder.Services;
        services.AddOptions<TrafficLimitOptions>().BindConfiguration(TrafficLimitOptions.Section)
            .Validate(o => o.TrackRateLimit >= 0 && o.AuthFailuresPerMinute >= 0 && o.MaxQueuedHits > 0,
                "TRACKING_TRACK_RATE_LIMIT and TRACKING_AUTH_FAILURE_LIMIT must be 0 (off) or more, Gateway:MaxQueuedHits more than 0")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<HitLimits>();
        services.AddSingleton<AuthFailureLimits>();
        services.AddSingleton(sp => new TrackingHits(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<TimeProvider>(), spread: !siloInProcess,
            sp.GetRequiredService<IOptions<TrafficLimitOptions>>().Value.MaxQueuedHits));
        services.AddProblemDetails();
        services.AddApiDocument();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            // The silo's own meter is here too when the silo runs in this process.
            .AddMeter(GatewayMetrics.MeterName, "Tracking.Silo", "Microsoft.Orleans")
            .AddPrometheusExporter());
        services.AddExceptionHandler<ServiceUnavailable>();
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        // Only proxies on loopback are trusted (the default), so a stranger cannot choose the recorded IP.
        services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseForwardedHeaders();
        // Metrics tell how the service is used: only local scrapers (or everyone, when configured) see them.
        var metricsFromAnywhere = app.Configuration.GetValue("Gateway:MetricsFromAnywhere", false);
        app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Request.Path == "/metrics"
            && (metricsFromAnywhere || http.Connection.RemoteIpAddress is { } ip && System.Net.IPAddress.IsLoopback(ip)));
        app.UseApiMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        app.MapTracking();
        app.MapEmails();
        app.MapBroadcasts();
        app.MapWebhooks();
        app.MapAnalytics();
        app.MapApiKeys();
        app.MapPrivacy();
        app.MapHealth();
        app.MapApiDocument();
        app.MapDashboard();
        return app;
    }
}
