using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway;

/// <summary>
/// Reads a JSON request body. Malformed JSON is a 400; JSON of the wrong shape is a 422 naming the field,
/// as every other validation error is.
/// </summary>
public static class RequestBody
{
    public static async Task<(JsonElement Body, ProblemHttpResult? Problem)> Read(HttpRequest request)
    {
        if (!request.HasJsonContentType())
            return (default, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
                detail: "Send a JSON body with 'Content-Type: application/json'."));
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            return (default, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON", detail: ex.Message));
        }
        catch (BadHttpRequestException ex)
        {
            // The web server's own verdict on the body: 413 past MaxRequestBodySize, 400 for a broken one.
            return (default, TypedResults.Problem(statusCode: ex.StatusCode, title: ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "Payload Too Large" : "Bad Request", detail: ex.Message));
        }
    }

    /// <summary>Reads and binds a JSON object body: the value, or (when it is null) the 415/400/422 problem to answer with.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadObject<T>(HttpRequest request, string invalidTitle) where T : class
    {
        var (body, problem) = await Read(request);
        if (problem is not null) return (null, problem);
        var value = Bind<T>(body, out var errors);
        return value is null ? (null, ApiProblems.Invalid(errors!, invalidTitle)) : (value, null);
    }

    /// <summary>Binds a JSON object; on a type mismatch the errors name the field (under <paramref name="prefix"/>).</summary>
    public static T? Bind<T>(JsonElement element, out Dictionary<string, string[]>? errors, string prefix = "") where T : class
    {
        errors = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors = new() { [prefix.Length > 0 ? prefix : "body"] = ["must be a JSON object"] };
            return null;
        }
        try
        {
            return element.Deserialize<T>(ApiJson.Options);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : ex.Path.TrimStart('$', '.');
            var name = prefix.Length == 0 ? (field.Length == 0 ? "body" : field) : field.Length == 0 ? prefix : $"{prefix}.{field}";
            errors = new() { [name] = ["has the wrong type"] };
            return null;
        }
    }
}
