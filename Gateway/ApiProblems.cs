using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway;

/// <summary>The API's refusals, all Problem Details (RFC 9457).</summary>
public static class ApiProblems
{
    /// <summary>404 for anything the key's project cannot see, whether it exists elsewhere or not.</summary>
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: detail);

    /// <summary>422 naming each field or parameter that is not valid, and why.</summary>
    public static ProblemHttpResult Invalid(Dictionary<string, string[]> errors, string title) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status422UnprocessableEntity, Title = title });

    public static ProblemHttpResult Invalid(string name, string why, string title) => Invalid(new() { [name] = [why] }, title);

    /// <summary>The problem a grain's refusal is answered with.</summary>
    public static ProblemHttpResult Refused<T>(Outcome<T> outcome, string invalidTitle, string notFound) => outcome switch
    {
        Invalid<T> invalid => Invalid(invalid.Errors, invalidTitle),
        Missing<T> => NotFound(notFound),
        Conflicting<T> conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: conflict.Detail),
        _ => throw new ArgumentException($"{outcome} is not a refusal", nameof(outcome)),
    };

    /// <summary>What every endpoint that needs an API key may answer besides its own: 401, 403 (a key without the permission) and 429.</summary>
    public static RouteGroupBuilder ProducesKeyProblems(this RouteGroupBuilder group) =>
        group.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
