using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

/// <summary>The category of the health checks' log lines.</summary>
public sealed class HealthEndpointsLog;

/// <summary>For load balancers and orchestrators: <c>/healthz</c>, the process is up; <c>/readyz</c>, it can serve.</summary>
public static class HealthEndpoints
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Operations");
        group.MapGet("/healthz", () => TypedResults.Text("ok"))
            .WithSummary("Whether the process is up: always ok").Produces<string>(StatusCodes.Status200OK, "text/plain");
        group.MapGet("/readyz", Ready)
            .WithSummary("Whether the service can serve: the cluster and PostgreSQL are reachable; 503 otherwise")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    static async Task<Results<ContentHttpResult, ProblemHttpResult>> Ready(IGrainFactory grains, ILogger<HealthEndpointsLog> log)
    {
        string? problem;
        try
        {
            problem = await grains.GetGrain<IReadinessGrain>(0).Check().WaitAsync(Patience);
        }
        catch (Exception ex)
        {
            log.ClusterUnreachable(ex);
            problem = "The cluster cannot be reached.";
        }
        return problem is null
            ? TypedResults.Text("ready")
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable", detail: problem);
    }
}
