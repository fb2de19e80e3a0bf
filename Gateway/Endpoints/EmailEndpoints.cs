using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

public static class EmailEndpoints
{
    public const int MaxBatch = 100;
    const string NotValid = "The email is not valid";

    public static RouteGroupBuilder MapEmails(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/emails").RequireApiKey().WithTags("Emails");
        group.MapPost("/", Send).Accepts<EmailDraft>("application/json").WithMetadata(new SendingAllowed())
            .WithSummary("Send an email").WithDescription("Tracking of opens and clicks is on unless tracking says otherwise. " +
                "With an Idempotency-Key, a retry answers the email made first (Idempotent-Replayed: true).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/batch", SendBatch).Accepts<EmailDraft[]>("application/json").WithMetadata(new SendingAllowed())
            .WithSummary("Send up to 100 emails").WithDescription("Each item stands alone: valid items are accepted even when others are not.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", List).WithSummary("List emails, newest first; search by recipient, subject or tag").ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}", Get).WithSummary("Get an email, with its opens, clicks and delivery")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    static async Task<Results<Ok<EmailSent>, ProblemHttpResult>> Send(HttpContext http, IGrainFactory grains)
    {
        if (!IdempotencyKey.TryRead(http.Request, out var key, out var badKey)) return badKey;
        var (draft, invalid) = await RequestBody.ReadObject<EmailDraft>(http.Request, NotValid);
        if (draft is null) return invalid!;

        var project = AuthenticatedProject.Of(http);
        var (id, requestHash) = IdempotencyKey.Email(project, key, draft);
        switch (await grains.GetGrain<IEmailGrain>(id).Create(project, draft, requestHash))
        {
            case Done<EmailAccepted> { Value: var accepted }:
                if (accepted.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
                var email = accepted.Email;
                return TypedResults.Ok(new EmailSent(email.Id, email.From, email.To, email.CreatedAt));
            case Conflicting<EmailAccepted> conflict:
                return IdempotencyKey.Conflict(conflict.Detail);
            case var refused:
                return ApiProblems.Refused(refused, NotValid, "");
        }
    }

    static async Task<Results<Ok<Listed<BatchItem>>, ProblemHttpResult>> SendBatch(HttpContext http, IGrainFactory grains)
    {
        if (!IdempotencyKey.TryRead(http.Request, out var key, out var badKey)) return badKey;
        var (body, problem) = await RequestBody.Read(http.Request);
        if (problem is not null) return problem;
        if (body.ValueKind != JsonValueKind.Array) return ApiProblems.Invalid("body", "must be a JSON array of emails", "The batch is not valid");
        var items = body.EnumerateArray().ToList();
        if (items.Count is 0 or > MaxBatch) return ApiProblems.Invalid("body", $"must hold 1 to {MaxBatch} emails", "The batch is not valid");

        var project = AuthenticatedProject.Of(http);
        var results = await Task.WhenAll(items.Select(async (item, i) =>
        {
            var draft = RequestBody.Bind<EmailDraft>(item, out var errors, $"[{i}]");
            if (draft is null) return new BatchItem(null, errors);
            var (id, requestHash) = IdempotencyKey.Email(project, key, draft, i);
            return await grains.GetGrain<IEmailGrain>(id).Create(project, draft, requestHash) switch
            {
                Done<EmailAccepted> { Value: var accepted } => new BatchItem(accepted.Email.Id, null),
                Invalid<EmailAccepted> refused => new BatchItem(null, refused.Errors),
                Conflicting<EmailAccepted> conflict => new BatchItem(null, new() { [$"[{i}]"] = [conflict.Detail] }),
                var other => throw new InvalidOperationException($"Unexpected {other}"),
            };
        }));
        return TypedResults.Ok(new Listed<BatchItem>(results));
    }

    static async Task<Results<Ok<EmailPage>, ProblemHttpResult>> List([AsParameters] EmailParameters query, HttpContext http, IGrainFactory grains)
    {
        var check = new QueryCheck();
        var limit = check.WholeNumber("limit", query.Limit, 10, 1, 100);
        var offset = check.Offset(query.Offset, query.Cursor);
        var search = check.Text("search", query.Search, QueryCheck.MaxSearch);
        var tag = check.Tag(query.Tag);
        if (check.Failed(out var problem)) return problem;
        var page = await grains.GetGrain<IProjectGrain>(AuthenticatedProject.Of(http))
            .ListEmails(new EmailQuery(limit, offset, query.Cursor, search, tag));
        return page is Done<EmailPage> done ? TypedResults.Ok(done.Value) : ApiProblems.Refused(page, "Invalid query parameter", "");
    }

    static async Task<Results<Ok<EmailView>, ProblemHttpResult>> Get(string id, HttpContext http, IGrainFactory grains) =>
        Guid.TryParse(id, out var emailId) && await grains.GetGrain<IEmailGrain>(emailId).Get(AuthenticatedProject.Of(http)) is { } email
            ? TypedResults.Ok(email)
            : ApiProblems.NotFound($"No email with id '{id}'.");
}
