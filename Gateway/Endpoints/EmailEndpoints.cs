using System.Text.Json;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

public static class EmailEndpoints
{
    public const int MaxBatch = 100;

    public static RouteGroupBuilder MapEmails(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/emails").RequireApiKey();
        group.MapPost("/", Send);
        group.MapPost("/batch", SendBatch);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        return group;
    }

    static async Task<IResult> Send(HttpContext http, IGrainFactory grains)
    {
        if (!IdempotencyKey.TryRead(http.Request, out var key, out var problem)) return problem!;
        var (draft, invalid) = await RequestBody.ReadObject<EmailDraft>(http.Request, "The email is not valid");
        if (draft is null) return invalid!;

        var project = AuthenticatedProject.Of(http);
        var (id, requestHash) = IdempotencyKey.Email(project, key, draft);
        var created = await grains.GetGrain<IEmailGrain>(id).Create(project, draft, requestHash);
        if (created.Conflict is { } conflict) return IdempotencyKey.Conflict(conflict);
        if (created.Errors is { Count: > 0 }) return RequestBody.Invalid(created.Errors, "The email is not valid");
        if (created.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
        var email = created.Email!;
        return TypedResults.Ok(new { email.Id, email.From, email.To, email.CreatedAt });
    }

    /// <summary>Each item stands alone: valid items are accepted even when others are not.</summary>
    static async Task<IResult> SendBatch(HttpContext http, IGrainFactory grains)
    {
        if (!IdempotencyKey.TryRead(http.Request, out var key, out var badKey)) return badKey!;
        var (body, problem) = await RequestBody.Read(http.Request);
        if (problem is not null) return problem;
        if (body.ValueKind != JsonValueKind.Array)
            return RequestBody.Invalid(new() { ["body"] = ["must be a JSON array of emails"] }, "The batch is not valid");
        var items = body.EnumerateArray().ToList();
        if (items.Count is 0 or > MaxBatch)
            return RequestBody.Invalid(new() { ["body"] = [$"must hold 1 to {MaxBatch} emails"] }, "The batch is not valid");

        var project = AuthenticatedProject.Of(http);
        var results = await Task.WhenAll(items.Select(async (item, i) =>
        {
            var draft = RequestBody.Bind<EmailDraft>(item, out var errors, $"[{i}]");
            if (draft is null) return (object)new { Errors = errors };
            var (id, requestHash) = IdempotencyKey.Email(project, key, draft, i);
            var created = await grains.GetGrain<IEmailGrain>(id).Create(project, draft, requestHash);
            if (created.Conflict is { } conflict) return new { Errors = new Dictionary<string, string[]> { [$"[{i}]"] = [conflict] } };
            return created.Errors is { Count: > 0 } ? new { created.Errors } : new { created.Email!.Id };
        }));
        return TypedResults.Ok(new { Data = results });
    }

    static async Task<IResult> List(HttpContext http, IGrainFactory grains)
    {
        if (!RequestBody.TryQueryInt(http.Request, "limit", 10, 1, 100, out var limit, out var problem)
            || !RequestBody.TryQueryOffset(http.Request, out var offset, out problem))
            return problem!;
        var cursor = http.Request.Query["cursor"] is { Count: > 0 } values ? values[^1] : null;
        if (cursor is not null && offset != 0)
            return RequestBody.Invalid(new() { ["offset"] = ["cannot be combined with cursor"] }, "Invalid query parameter");
        var page = await grains.GetGrain<IProjectGrain>(AuthenticatedProject.Of(http)).ListEmails(limit, offset, cursor);
        return page is null
            ? RequestBody.Invalid(new() { ["cursor"] = ["is not a cursor from a previous page"] }, "Invalid query parameter")
            : TypedResults.Ok(page);
    }

    static async Task<IResult> Get(string id, HttpContext http, IGrainFactory grains)
    {
        var email = Guid.TryParse(id, out var emailId)
            ? await grains.GetGrain<IEmailGrain>(emailId).Get(AuthenticatedProject.Of(http))
            : null;
        return email is null
            ? ApiProblems.NotFound($"No email with id '{id}'.")
            : TypedResults.Ok(email);
    }
}
