using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace Tracking.Silo;

/// <summary>
/// The operator's port (<c>Tracking:OperatorPort</c>, off unless set): on loopback only, it serves the Orleans
/// Dashboard at <c>/orleans</c> and, for a silo running apart from the Gateway, the silo's <c>/metrics</c>. The
/// dashboard has no authentication of its own: whoever reaches the port sees the cluster, so it never listens
/// elsewhere (reach it through an SSH tunnel).
/// </summary>
public static class OperatorPort
{
    public const string DashboardPath = "/orleans";

    public static int? Of(IConfiguration config) => config.GetValue<int?>("Tracking:OperatorPort");

    public static string Url(int port) => $"http://{IPAddress.Loopback}:{port}";

    /// <summary>A silo running alone: a web host on the operator's port only, for the dashboard and the silo's metrics.</summary>
    public static WebApplicationBuilder ForSiloAlone(string[] args, int port)
    {
        var web = WebApplication.CreateBuilder(args);
        web.WebHost.UseUrls(Url(port));
        web.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Grains.SiloMetrics.MeterName, "Microsoft.Orleans").AddPrometheusExporter());
        return web;
    }

    /// <summary>Maps the dashboard, answered on the operator's port alone (told by the connection's port, not the Host header).</summary>
    public static WebApplication MapOperatorEndpoints(this WebApplication app, int port, bool metrics)
    {
        app.Use(async (http, next) =>
        {
            var operatorPath = http.Request.Path.StartsWithSegments(DashboardPath) || (metrics && http.Request.Path == "/metrics");
            // Each port answers its own: the operator's, the dashboard (and a lone silo's metrics); the others, the API.
            if (operatorPath != (http.Connection.LocalPort == port))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(http);
        });
        if (metrics) app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOrleansDashboard(DashboardPath);
        return app;
    }
}
