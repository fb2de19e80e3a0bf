using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

/// <summary>
/// <c>GET /v1/events/stream</c>: a project's events as Server-Sent Events. The Gateway asks the project's
/// grain for what came after its cursor, twice a second while nothing does; each event's id is the cursor
/// after it, so a client that reconnects with Last-Event-ID misses nothing and gets nothing twice.
/// </summary>
public static class EventStream
{
    /// <summary>Streams a project may hold open on one Gateway; each costs a small query twice a second.</summary>
    public const int PerProject = 10;
    const int PageSize = 100;
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    static readonly ConcurrentDictionary<Guid, int> Open = new();

    public static async Task<Results<ServerSentEventsResult<EventItem>, ProblemHttpResult>> Follow(HttpContext http, IGrainFactory grains,
        TimeProvider clock)
    {
        var project = AuthenticatedProject.Of(http);
        var after = http.Request.Headers["Last-Event-ID"] is { Count: > 0 } id ? id.ToString() : null;
        var grain = grains.GetGrain<IProjectGrain>(project);
        // The first page answers before the stream starts, so that a bad cursor is a 422, not a broken stream.
        var first = await grain.StreamEvents(after, PageSize);
        if (first is not Done<EventStreamPage> { Value: var page }) return ApiProblems.Refused(first, "Invalid Last-Event-ID", "");
        if (Open.AddOrUpdate(project, 1, (_, n) => n + 1) > PerProject)
        {
            Release(project);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests",
                detail: $"A project may follow at most {PerProject} event streams at once on one Gateway.");
        }
        return TypedResults.ServerSentEvents(Events(project, grain, page, clock, http.RequestAborted));
    }

    static async IAsyncEnumerable<SseItem<EventItem>> Events(Guid project, IProjectGrain grain, EventStreamPage page, TimeProvider clock,
        [EnumeratorCancellation] CancellationToken stopped)
    {
        try
        {
            while (!stopped.IsCancellationRequested)
            {
                foreach (var streamed in page.Events)
                    yield return new SseItem<EventItem>(streamed.Event, streamed.Event.Type) { EventId = streamed.Cursor };
                if (page.Events.Length < PageSize)
                    await Task.Delay(Poll, clock, stopped).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (stopped.IsCancellationRequested) break;
                page = await grain.StreamEvents(page.Next, PageSize) is Done<EventStreamPage> { Value: var next } ? next : page with { Events = [] };
            }
        }
        finally
        {
            Release(project);
        }
    }

    static void Release(Guid project)
    {
        if (Open.AddOrUpdate(project, 0, (_, n) => n - 1) <= 0) Open.TryRemove(new(project, 0));
    }
}
