using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

/// <summary>The category of the live stream's log lines.</summary>
public sealed class EventStreamLog;

/// <summary>
/// <c>GET /v1/events/stream</c>: a project's events as Server-Sent Events. The Gateway asks the project's
/// grain for what came after its cursor, twice a second while nothing does; each event's id is the cursor
/// after it, so a client that reconnects with Last-Event-ID misses nothing and gets nothing twice.
/// </summary>
public static class EventStream
{
    const int PageSize = 100;
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// An idle stream still writes a comment this often (Gateway:StreamHeartbeatSeconds, 15 by default), so that
    /// proxies keep it open and clients know it is alive.
    /// </summary>
    public const string HeartbeatSetting = "Gateway:StreamHeartbeatSeconds";

    public static async Task<Results<StreamResult, ProblemHttpResult>> Follow(HttpContext http, IGrainFactory grains, TimeProvider clock,
        IConfiguration configuration, ILogger<EventStreamLog> log)
    {
        var project = AuthenticatedProject.Of(http);
        var after = http.Request.Headers["Last-Event-ID"] is { Count: > 0 } id ? id.ToString() : null;
        var grain = grains.GetGrain<IProjectGrain>(project);
        // The first page answers before the stream starts, so that a bad cursor is a 422, not a broken stream.
        var first = await grain.StreamEvents(after, PageSize);
        if (first is not Done<EventStreamPage> { Value: var page }) return ApiProblems.Refused(first, "Invalid Last-Event-ID", "");
        var streams = grains.GetGrain<ILiveStreamsGrain>(project);
        var stream = Guid.NewGuid();
        if (!await streams.Open(stream))
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests",
                detail: $"A project may follow at most {ILiveStreamsGrain.MaxPerProject} event streams at once.");
        var heartbeat = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue(HeartbeatSetting, 15)));
        return new StreamResult(new(project, stream, grain, streams, clock, heartbeat, log), page);
    }

    /// <summary>What a stream works with, besides its page.</summary>
    public sealed record StreamContext(Guid Project, Guid Stream, IProjectGrain Events, ILiveStreamsGrain Streams, TimeProvider Clock,
        TimeSpan Heartbeat, ILogger Log);

    /// <summary>
    /// The stream itself. Its headers go out at once, before any event, and every page of events is flushed as
    /// it comes: a client knows it is connected, and sees each event without waiting for the next. Its place
    /// among the project's streams is renewed while it runs and given back when it ends.
    /// </summary>
    public sealed class StreamResult(StreamContext context, EventStreamPage page) : IResult
    {
        static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

        public async Task ExecuteAsync(HttpContext http)
        {
            var (_, _, events, streams, clock, heartbeat, _) = context;
            var stopped = http.RequestAborted;
            try
            {
                http.Response.ContentType = "text/event-stream";
                http.Response.Headers.CacheControl = "no-cache";
                http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                await http.Response.StartAsync(stopped);
                var body = http.Response.BodyWriter;
                long quiet = clock.GetTimestamp(), renewed = quiet;
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
                    if (clock.GetElapsedTime(renewed) >= RenewEvery)
                    {
                        await streams.Renew(context.Stream);
                        renewed = clock.GetTimestamp();
                    }
                    if (page.Events.Length < PageSize)
                        await Task.Delay(Poll, clock, stopped).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    if (stopped.IsCancellationRequested) break;
                    page = await events.StreamEvents(page.Next, PageSize) is Done<EventStreamPage> { Value: var next } ? next : page with { Events = [] };
                }
            }
            catch (OperationCanceledException) when (stopped.IsCancellationRequested)
            {
                // The client went away.
            }
            finally
            {
                await Release();
            }
        }

        async Task Release()
        {
            try { await context.Streams.Close(context.Stream); }
            catch (Exception ex) { context.Log.StreamNotReleased(ex, context.Stream, context.Project); }
        }
    }
}
