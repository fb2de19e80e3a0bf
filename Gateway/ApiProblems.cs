namespace Tracking.Gateway;

public static class ApiProblems
{
    /// <summary>404 for anything the key's project cannot see, whether it exists elsewhere or not.</summary>
    public static IResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: detail);
}
