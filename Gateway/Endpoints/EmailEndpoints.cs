using System.Text.Json;

namespace Tracking.Gateway.Endpoints;

public static class EmailEndpoints
{
    public static RouteGroupBuilder MapEmails(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/emails").RequireApiKey();
        group.MapPost("/", Send);
        group.MapGet("/{id}", Get);
        return group;
    }

    static async Task<IResult> Send(HttpContext http, IGrainFactory grains)
    {
        var (draft, problem) = await ReadDraft(http.Request);
        if (problem is not null) return problem;

        var id = Guid.NewGuid();
        var created = await grains.GetGrain<IEmailGrain>(id).Create(AuthenticatedProject.Of(http), draft!);
        if (created.Errors is { Count: > 0 } errors) return Invalid(errors);

        var email = created.Email!;
        return TypedResults.Ok(new { email.Id, email.From, email.To, email.CreatedAt });
    }

    static async Task<IResult> Get(string id, HttpContext http, IGrainFactory grains)
    {
        var email = Guid.TryParse(id, out var emailId)
            ? await grains.GetGrain<IEmailGrain>(emailId).Get(AuthenticatedProject.Of(http))
            : null;
        return email is null
            ? TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"No email with id '{id}'.")
            : TypedResults.Ok(email);
    }

    /// <summary>Malformed JSON is a 400; JSON of the wrong shape is a 422 naming the field.</summary>
    static async Task<(EmailDraft?, IResult?)> ReadDraft(HttpRequest request)
    {
        if (!request.HasJsonContentType())
            return (null, TypedResults.Problem(statusCode: 415, title: "Unsupported Media Type", detail: "Send a JSON body with 'Content-Type: application/json'."));
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body);
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.Problem(statusCode: 400, title: "Malformed JSON", detail: ex.Message));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, Invalid(new() { ["body"] = ["must be a JSON object"] }));
            try
            {
                return (document.RootElement.Deserialize<EmailDraft>(ApiJson.Options), null);
            }
            catch (JsonException ex)
            {
                var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
                return (null, Invalid(new() { [field] = ["has the wrong type"] }));
            }
        }
    }

    static IResult Invalid(Dictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The email is not valid");
}
