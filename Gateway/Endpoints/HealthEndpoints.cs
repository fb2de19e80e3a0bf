using Tracking.Contracts;
namespace Tracking.Gateway.Endpoints;

/// <summary>The category of the health check's log lines.</summary>
public sealed class HealthEndpointsLog;

public static class HealthEndpoints
{
    public static IEndpointConventionBuilder MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/healthz", async (IGrainFactory grains, ILogger<HealthEndpointsLog> log) =>
        {
            try
            {
                await grains.GetGrain<IApiKeyGrain>(0).Ping().WaitAsync(TimeSpan.FromSeconds(3));
                return Results.Text("ok");
            }
            catch (Exception ex)
            {
                log.ClusterUnreachable(ex);
                return Results.Problem(statusCode: 503, title: "Service Unavailable", detail: "The cluster cannot be reached.");
            }
        }).WithTags("Operations").WithSummary("Whether the service can answer: ok, or 503 when the cluster cannot be reached")
        .Produces<string>(StatusCodes.Status200OK, "text/plain").ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
