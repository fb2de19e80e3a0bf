using Tracking.Contracts;
namespace Tracking.Gateway;

/// <summary>The project the request's API key belongs to.</summary>
public sealed record AuthenticatedProject(Guid Id)
{
    public static Guid Of(HttpContext http) => http.Features.Get<AuthenticatedProject>()!.Id;
}

/// <summary>Marks an endpoint that needs an API key (the API's description says so).</summary>
public sealed record ApiKeyRequired;

/// <summary>Marks an endpoint that sends, which a sending-access key may call too.</summary>
public sealed record SendingAllowed;

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
            var grant = !ApiKeyFormat.IsWellFormed(key) ? null : await http.RequestServices.GetRequiredService<IGrainFactory>()
                .GetGrain<IApiKeyGrain>(0).Authenticate(key);
            if (grant is null)
            {
                failures.Failed(http);
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
                    title: "Unauthorized", detail: key.Length == 0
                        ? "Send your API key as 'Authorization: Bearer <api key>'."
                        : "The API key is not valid.");
            }
            // A sending key may only send: the endpoints that send say so.
            if (grant.Permission != ApiKeyPermissions.FullAccess && http.GetEndpoint()?.Metadata.GetMetadata<SendingAllowed>() is null)
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: "This API key may only send emails (sending_access).");
            http.Features.Set(new AuthenticatedProject(grant.ProjectId));
            return await next(context);
        });
}
