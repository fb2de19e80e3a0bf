using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Tracking.Gateway;

/// <summary>
/// An API call that could not reach a silo (one just died, the cluster is restarting) is the service's
/// trouble, not the client's: 503 with Retry-After, as Problem Details, instead of a bare 500.
/// </summary>
public sealed class UnreachableCluster(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnreachable(exception)) return false;
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new()
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = 503, Title = "Service Unavailable", Detail = "The cluster cannot be reached at the moment; try again." },
        });
    }

    static bool IsUnreachable(Exception exception) =>
        exception is ConnectionFailedException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;
}
