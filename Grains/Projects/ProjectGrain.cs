using Orleans.Concurrency;
using Tracking.Grains.Analytics;
using Tracking.Grains.Emails;
using Tracking.Contracts;
using Tracking.Grains.Events;

namespace Tracking.Grains.Projects;

/// <summary>A project's reads across its emails and events. Reentrant: the reads are independent.</summary>
[Reentrant]
public sealed class ProjectGrain(EmailStore emails, EventReader events, TimeProvider clock) : Grain, IProjectGrain
{
    Guid ProjectId => this.GetPrimaryKey();

    public async Task<Outcome<EmailPage>> ListEmails(EmailQuery query)
    {
        (DateTimeOffset, Guid)? after = null;
        if (query.Cursor is not null)
        {
            if (PageCursor.Email(query.Cursor) is not { } position) return new Invalid<EmailPage>(NotACursor);
            after = position;
        }
        return new Done<EmailPage>(await emails.List(ProjectId, query with { Offset = after is null ? query.Offset : 0 }, after));
    }

    public async Task<Outcome<EventStreamPage>> StreamEvents(string? after, int limit)
    {
        StreamCursor? cursor = null;
        if (after is not null && (cursor = StreamCursor.Parse(after)) is null)
            return new Invalid<EventStreamPage>(new() { ["Last-Event-ID"] = ["is not the id of an event from this stream"] });
        var (streamed, next) = await events.Stream(ProjectId, cursor, limit);
        return new Done<EventStreamPage>(new EventStreamPage([.. streamed.Select(e => new StreamedEvent(e.Cursor.ToString(), e.Item))], next.ToString()));
    }

    static Dictionary<string, string[]> NotACursor => new() { ["cursor"] = ["is not a cursor from a previous page"] };

    /// <summary>
    /// The window is whole hours: the current one and those before it, <c>days</c> × 24 in all, as the
    /// metrics count them, so the total comes from the metrics' hourly counts instead of a count over the log.
    /// </summary>
    public async Task<Outcome<EventPage>> ListEvents(EventQuery query)
    {
        long? before = null;
        if (query.Cursor is not null)
        {
            if (PageCursor.Seq(query.Cursor) is not { } seq) return new Invalid<EventPage>(NotACursor);
            before = seq;
        }
        var fromHour = ProjectMetricsGrain.Hour(clock.GetUtcNow()) - query.Days * 24 + 1;
        var from = DateTimeOffset.FromUnixTimeSeconds(fromHour * 3600);

        var pageTask = events.Page(ProjectId, from, query.EmailId, query.EventType, query.Limit, before is null ? query.Offset : 0, before);
        var total = query.EmailId is { } emailId
            ? await events.CountForEmail(ProjectId, emailId, from, query.EventType)
            : await GrainFactory.GetGrain<IProjectMetricsGrain>(ProjectId).EventCount(fromHour, query.EventType);
        var (rows, hasMore) = await pageTask;
        return new Done<EventPage>(new EventPage(rows.Select(r => r.Item).ToArray(), total, query.Limit,
            before is null ? query.Offset : 0, hasMore, hasMore ? PageCursor.Of(rows[^1].Seq) : null));
    }
}
