using Tracking.Contracts;
namespace Tracking.Gateway;

/// <summary>The project the request's API key belongs to.</summary>
public sealed record AuthenticatedProject(Guid Id)
{
    public static Guid Of(HttpContext http) => http.Features.Get<AuthenticatedProject>()!.Id;
}

/// <summary>Marks an endpoint that needs an API key (the API's description says so).</summary>
public sealed record ApiKeyRequired;

public static class ApiKeyAuthentication
{
    /// <summary>Every endpoint of the group needs <c>Authorization: Bearer &lt;api key&gt;</c>.</summary>
    public static RouteGroupBuilder RequireApiKey(this RouteGroupBuilder group) =>
        group.WithMetadata(new ApiKeyRequired()).ProducesKeyProblems().AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var failures = http.RequestServices.GetRequiredService<AuthFailureLimits>();
            if (failures.Exhausted(http))
            {
                http.Response.Headers.RetryAfter = ((int)AuthFailureLimits.RetryAfter.TotalSeconds).ToString();
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests",
                    detail: "Too many requests with a wrong API key came from this address; try again later.");
            }
            var header = http.Request.Headers.Authorization.ToString();
            var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
            // A key that cannot be one is refused here, at no cost to the cluster.
            var project = !ApiKeyFormat.IsWellFormed(key) ? null : await http.RequestServices.GetRequiredService<IGrainFactory>()
                .GetGrain<IApiKeyGrain>(0).FindProject(key);
            if (project is not { } id)
            {
                failures.Failed(http);
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
                    title: "Unauthorized", detail: key.Length == 0
                        ? "Send your API key as 'Authorization: Bearer <api key>'."
                        : "The API key is not valid.");
            }
            http.Features.Set(new AuthenticatedProject(id));
            return await next(context);
        });
}
