using System.Text.Json;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Tracking.Gateway;
using Tracking.Gateway.Endpoints;
using Tracking.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls((Environment.GetEnvironmentVariable("TRACKING_URLS") ?? builder.Configuration["Urls"] ?? "http://127.0.0.1:8080").Split(';'));
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
    .AddFilter("Orleans", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning)
    // Its per-request log scope and Activity cost every pixel, and it logs nothing at Warning.
    .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

// On one machine the silo can live in this process: grain calls then skip the socket and serialization
// between Gateway and Silo. Otherwise the Gateway is a client of the cluster.
var siloInProcess = Environment.GetEnvironmentVariable("TRACKING_SILO") == "in-process";
if (siloInProcess)
    await TrackingSilo.AddTo(builder, acceptsClients: false);
else
    builder.UseOrleansClient(client =>
    {
        ClusterMembership.Configure(client, builder.Configuration);
        // The silo may start after us (or restart): keep trying instead of failing start-up.
        client.UseConnectionRetryFilter(async (_, ct) => { await Task.Delay(TimeSpan.FromSeconds(1), ct); return true; });
    });

// The short names the README documents; the standard Gateway__Key variables work as well.
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Gateway:TrackRateLimit"] = Environment.GetEnvironmentVariable("TRACKING_TRACK_RATE_LIMIT") ?? builder.Configuration["Gateway:TrackRateLimit"],
    ["Gateway:AuthFailuresPerMinute"] = Environment.GetEnvironmentVariable("TRACKING_AUTH_FAILURE_LIMIT") ?? builder.Configuration["Gateway:AuthFailuresPerMinute"],
}.Where(kv => kv.Value is not null));
builder.Services.AddOptions<TrafficLimitOptions>().BindConfiguration(TrafficLimitOptions.Section)
    .Validate(o => o.TrackRateLimit >= 0 && o.AuthFailuresPerMinute >= 0 && o.MaxQueuedHits > 0,
        "TRACKING_TRACK_RATE_LIMIT and TRACKING_AUTH_FAILURE_LIMIT must be 0 (off) or more, Gateway:MaxQueuedHits more than 0")
    .ValidateOnStart();
builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.AddSingleton<HitLimits>();
builder.Services.AddSingleton<AuthFailureLimits>();
builder.Services.AddSingleton(services => new TrackingHits(services.GetRequiredService<IGrainFactory>(), spread: !siloInProcess,
    services.GetRequiredService<IOptions<TrafficLimitOptions>>().Value.MaxQueuedHits));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ServiceUnavailable>();
builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
// Only proxies on loopback are trusted (the default), so a stranger cannot choose the recorded IP.
builder.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);

var app = builder.Build();
app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapTracking();
app.MapEmails();
app.MapBroadcasts();
app.MapWebhooks();
app.MapAnalytics();
app.MapHealth();

app.Run();
