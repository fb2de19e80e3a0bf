using System.Text.Json;
using Tracking.Contracts;

namespace Tracking.Gateway;

/// <summary>
/// Reads a JSON request body. Malformed JSON is a 400; JSON of the wrong shape is a 422 naming the field,
/// as every other validation error is.
/// </summary>
public static class RequestBody
{
    public static async Task<(JsonElement Body, IResult? Problem)> Read(HttpRequest request)
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
    public static async Task<(T? Value, IResult? Problem)> ReadObject<T>(HttpRequest request, string invalidTitle) where T : class
    {
        var (body, problem) = await Read(request);
        if (problem is not null) return (null, problem);
        var value = Bind<T>(body, out var errors);
        return value is null ? (null, Invalid(errors!, invalidTitle)) : (value, null);
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

    public static IResult Invalid(Dictionary<string, string[]> errors, string title) =>
        Results.ValidationProblem(errors, statusCode: StatusCodes.Status422UnprocessableEntity, title: title);

    /// <summary>
    /// The deepest page an offset reaches: every offset costs a scan of the rows it skips. Further pages are
    /// reached with the cursor.
    /// </summary>
    public const int MaxOffset = 10_000;

    /// <summary>The optional <c>offset</c> query parameter, 0 to <see cref="MaxOffset"/>, or the 422 that names it.</summary>
    public static bool TryQueryOffset(HttpRequest request, out int offset, out IResult? problem, bool hasCursor = true)
    {
        if (TryQueryInt(request, "offset", 0, 0, MaxOffset, out offset, out problem)) return true;
        problem = Invalid(new() { ["offset"] = [$"must be a whole number from 0 to {MaxOffset}" +
            (hasCursor ? "; page further with cursor (next_cursor of the page before)" : "")] }, "Invalid query parameter");
        return false;
    }

    /// <summary>An optional integer query parameter within bounds, or the 422 that names it.</summary>
    public static bool TryQueryInt(HttpRequest request, string name, int fallback, int min, int max, out int value, out IResult? problem)
    {
        problem = null;
        value = fallback;
        if (!request.Query.TryGetValue(name, out var raw)) return true;
        if (raw.Count == 1 && int.TryParse(raw[0], out value) && value >= min && value <= max) return true;
        problem = Invalid(new() { [name] = [$"must be a whole number from {min} to {max}"] }, "Invalid query parameter");
        return false;
    }
}
