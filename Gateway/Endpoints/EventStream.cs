using System.Collections.Concurrent;
using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using System.Text.Json;
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

    /// <summary>
    /// An idle stream still writes a comment this often (Gateway:StreamHeartbeatSeconds, 15 by default), so that
    /// proxies keep it open and clients know it is alive.
    /// </summary>
    public const string HeartbeatSetting = "Gateway:StreamHeartbeatSeconds";

    public static async Task<Results<StreamResult, ProblemHttpResult>> Follow(HttpContext http, IGrainFactory grains, TimeProvider clock,
        IConfiguration configuration)
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
        return new StreamResult(project, grain, page, clock, TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(HeartbeatSetting, 15))));
    }

    /// <summary>
    /// The stream itself. Its headers go out at once, before any event, and every page of events is flushed as
    /// it comes: a client knows it is connected, and sees each event without waiting for the next.
    /// </summary>
    public sealed class StreamResult(Guid project, IProjectGrain grain, EventStreamPage page, TimeProvider clock, TimeSpan heartbeat) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var stopped = http.RequestAborted;
            try
            {
                http.Response.ContentType = "text/event-stream";
                http.Response.Headers.CacheControl = "no-cache";
                http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                await http.Response.StartAsync(stopped);
                var body = http.Response.BodyWriter;
                var quiet = clock.GetTimestamp();
                while (!stopped.IsCancellationRequested)
                {
                    foreach (var streamed in page.Events)
                    {
                        // Compact JSON escapes every line break, so the data is one line.
                        var data = JsonSerializer.Serialize(streamed.Event, ApiJson.Options);
                        body.Write(Encoding.UTF8.GetBytes($"event: {streamed.Event.Type}\nid: {streamed.Cursor}\ndata: {data}\n\n"));
                    }
                    if (page.Events.Length > 0) quiet = clock.GetTimestamp();
                    else if (clock.GetElapsedTime(quiet) >= heartbeat)
                    {
                        body.Write(": still here\n\n"u8);
                        quiet = clock.GetTimestamp();
                    }
                    if ((await body.FlushAsync(stopped)).IsCanceled) break;
                    if (page.Events.Length < PageSize)
                        await Task.Delay(Poll, clock, stopped).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    if (stopped.IsCancellationRequested) break;
                    page = await grain.StreamEvents(page.Next, PageSize) is Done<EventStreamPage> { Value: var next } ? next : page with { Events = [] };
                }
            }
            catch (OperationCanceledException) when (stopped.IsCancellationRequested)
            {
                // The client went away.
            }
            finally
            {
                Release(project);
            }
        }
    }

    static void Release(Guid project)
    {
        if (Open.AddOrUpdate(project, 0, (_, n) => n - 1) <= 0) Open.TryRemove(new(project, 0));
    }
}
