using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime.Messaging;
using Tracking.Contracts;

namespace Tracking.Gateway;

/// <summary>
/// An API call that failed because a part of the service was out for a moment (no silo reachable while the
/// cluster notices a dead one, or the database restarting) is the service's trouble, not the client's, and
/// worth a retry: 503 with Retry-After, as Problem Details, instead of a bare 500.
/// </summary>
public sealed class ServiceUnavailable(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsMomentary(exception)) return false;
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new()
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = 503, Title = "Service Unavailable", Detail = "The service is briefly unavailable; try again." },
        });
    }

    static bool IsMomentary(Exception exception) =>
        exception is ConnectionFailedException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
            or DatabaseUnavailableException;
}
