using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Tracking.Events;

namespace Tracking.Analytics;

/// <summary>
/// A project's figures, bucketed by hour for the whole project, each tag and each broadcast. It reads the
/// event log forward from its cursor (every second while active, and before answering), so a report
/// costs a sum over buckets, never a scan of the events. Counts and cursor are one persisted state.
/// </summary>
public sealed class ProjectMetricsGrain(
    [PersistentState("project-metrics", "tracking")] IPersistentState<ProjectMetricsState> state,
    EventReader reader,
    TimeProvider clock,
    ILogger<ProjectMetricsGrain> log) : Grain, IProjectMetricsGrain
{
    const int ReadBatch = 5000;
    // Older than this (by the database's clock), an event is settled as soon as it is read.
    static readonly TimeSpan SurelySettled = TimeSpan.FromMinutes(10);
    static readonly TimeSpan Retention = TimeSpan.FromDays(92);
    static readonly TimeSpan SaveDelay = TimeSpan.FromSeconds(2);

    ProjectMetricsState S => state.State;
    IGrainTimer? saveTimer;
    Task? reading;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(_ => CatchUp(), new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (saveTimer is not null) await state.WriteStateAsync();
    }

    public async Task<MetricsReport> Report(MetricsQuery query)
    {
        await CatchUp();
        var scope = Scope(query);
        var nowHour = Hour(clock.GetUtcNow());
        var step = query.GroupBy == "hour" ? 1 : 24;
        var first = query.GroupBy == "hour" ? nowHour - query.Days * 24 + 1 : Day(nowHour) - (query.Days - 1) * 24;
        var last = query.GroupBy == "hour" ? nowHour : Day(nowHour) + 23;
        var series = new List<MetricsBucket>();
        for (var start = first; start <= last; start += step)
            series.Add(new MetricsBucket(Start(start), Figures(Sum(scope, start, start + step - 1))));
        return new MetricsReport(Start(first), Start(last + 1), query.GroupBy, Figures(Sum(scope, first, last)), series.ToArray());
    }

    public async Task<LinkMetrics[]> Links(MetricsQuery query)
    {
        await CatchUp();
        var scope = Scope(query);
        var nowHour = Hour(clock.GetUtcNow());
        var first = query.GroupBy == "hour" ? nowHour - query.Days * 24 + 1 : Day(nowHour) - (query.Days - 1) * 24;
        var totals = new Dictionary<string, (long Clicks, long Unique)>();
        foreach (var (hour, links) in scope?.Links ?? [])
            if (hour >= first)
                foreach (var (url, counts) in links)
                {
                    var t = totals.GetValueOrDefault(url);
                    totals[url] = (t.Clicks + counts.Clicks, t.Unique + counts.UniqueClicks);
                }
        return totals.Select(t => new LinkMetrics(t.Key, t.Value.Clicks, t.Value.Unique))
            .OrderByDescending(l => l.Clicks).ThenByDescending(l => l.UniqueClicks).ThenBy(l => l.Url, StringComparer.Ordinal).ToArray();
    }

    public async Task<long> EventCount(long fromHour, string? eventType)
    {
        await CatchUp();
        long total = 0;
        foreach (var (hour, c) in S.All.Hours)
            if (hour >= fromHour)
                total += eventType switch
                {
                    EventTypes.Sent => c.Sent,
                    EventTypes.Delivered => c.Delivered,
                    EventTypes.Failed => c.Failed,
                    EventTypes.Opened => c.Opens,
                    EventTypes.Clicked => c.Clicks,
                    _ => c.Sent + c.Delivered + c.Failed + c.Opens + c.Clicks,
                };
        return total;
    }

    /// <summary>Reads and counts every committed event not yet counted. One reader at a time; callers share it.</summary>
    Task CatchUp()
    {
        if (reading is { IsCompleted: false }) return reading;
        return reading = Read();
    }

    async Task Read()
    {
        var projectId = this.GetPrimaryKey();
        var changed = false;
        var after = S.SettledSeq;
        DateTimeOffset dbNow;
        while (true)
        {
            var (now, batch) = await reader.After(projectId, after, ReadBatch);
            dbNow = now;
            var seenAt = clock.GetUtcNow();
            foreach (var e in batch)
            {
                after = e.Seq;
                if (S.Recent.ContainsKey(e.Seq)) continue;
                Count(e);
                changed = true;
                // Long-committed events need no watching; recent ones are watched until they settle.
                S.Recent[e.Seq] = e.CreatedAt < dbNow - SurelySettled ? DateTimeOffset.MinValue : seenAt;
            }
            if (batch.Count < ReadBatch) break;
        }

        var settled = LateCommits.Advance(S.SettledSeq, S.Recent, clock.GetUtcNow());
        if (settled != S.SettledSeq)
        {
            S.SettledSeq = settled;
            changed = true;
        }
        if (changed) ScheduleSave();
    }

    void Count(MetricEvent e)
    {
        var hour = Hour(e.CreatedAt);
        Add(S.All);
        foreach (var tag in e.Tags) Add(S.Tags.TryGetValue(tag, out var t) ? t : S.Tags[tag] = new());
        if (e.BroadcastId is { } b) Add(S.Broadcasts.TryGetValue(b, out var s) ? s : S.Broadcasts[b] = new());

        void Add(MetricsScope scope)
        {
            var c = scope.Hours.TryGetValue(hour, out var h) ? h : scope.Hours[hour] = new();
            switch (e.Type)
            {
                case EventTypes.Sent:
                    c.Sent++;
                    if (e.Stored) c.StoredSent++;
                    break;
                case EventTypes.Delivered: c.Delivered++; break;
                case EventTypes.Failed: c.Failed++; break;
                case EventTypes.Opened:
                    c.Opens++;
                    if (e.FirstOpen) c.UniqueOpens++;
                    break;
                case EventTypes.Clicked:
                    c.Clicks++;
                    if (e.FirstClick) c.UniqueClicks++;
                    if (e.Link is null) break;
                    var links = scope.Links.TryGetValue(hour, out var l) ? l : scope.Links[hour] = [];
                    var link = links.TryGetValue(e.Link, out var k) ? k : links[e.Link] = new();
                    link.Clicks++;
                    if (e.FirstClickOnLink) link.UniqueClicks++;
                    break;
            }
        }
    }

    void ScheduleSave() =>
        saveTimer ??= this.RegisterGrainTimer(async _ =>
        {
            saveTimer?.Dispose();
            saveTimer = null;
            Prune();
            try { await state.WriteStateAsync(); }
            catch (Exception ex) { log.LogWarning(ex, "Could not save metrics of project {ProjectId}", this.GetPrimaryKey()); ScheduleSave(); }
        }, new GrainTimerCreationOptions(SaveDelay, Timeout.InfiniteTimeSpan));

    void Prune()
    {
        var oldest = Hour(clock.GetUtcNow() - Retention);
        foreach (var scope in S.Tags.Values.Concat(S.Broadcasts.Values).Append(S.All))
        {
            foreach (var hour in scope.Hours.Keys.Where(h => h < oldest).ToList()) scope.Hours.Remove(hour);
            foreach (var hour in scope.Links.Keys.Where(h => h < oldest).ToList()) scope.Links.Remove(hour);
        }
    }

    MetricsScope? Scope(MetricsQuery query) =>
        query.Tag is { } tag ? S.Tags.GetValueOrDefault(tag)
        : query.BroadcastId is { } b ? S.Broadcasts.GetValueOrDefault(b)
        : S.All;

    static HourCounts Sum(MetricsScope? scope, long first, long last)
    {
        var sum = new HourCounts();
        if (scope is null) return sum;
        for (var hour = first; hour <= last; hour++)
        {
            if (!scope.Hours.TryGetValue(hour, out var c)) continue;
            sum.Sent += c.Sent; sum.StoredSent += c.StoredSent; sum.Delivered += c.Delivered; sum.Failed += c.Failed;
            sum.Opens += c.Opens; sum.UniqueOpens += c.UniqueOpens; sum.Clicks += c.Clicks; sum.UniqueClicks += c.UniqueClicks;
        }
        return sum;
    }

    /// <summary>Rates are percent of delivered (click-to-open: of unique opens), two decimals, 0 when there is no base.</summary>
    static MetricsFigures Figures(HourCounts c)
    {
        long delivered = c.Delivered + c.StoredSent;
        return new MetricsFigures(c.Sent, delivered, c.Opens, c.UniqueOpens, c.Clicks, c.UniqueClicks,
            Rate(c.UniqueOpens, delivered), Rate(c.UniqueClicks, delivered), Rate(c.UniqueClicks, c.UniqueOpens));
    }

    static decimal Rate(long part, long whole) => whole == 0 ? 0 : Math.Round(100m * part / whole, 2, MidpointRounding.AwayFromZero);

    public static long Hour(DateTimeOffset at) => at.ToUnixTimeSeconds() / 3600;
    static long Day(long hour) => hour - hour % 24;
    static DateTimeOffset Start(long hour) => DateTimeOffset.FromUnixTimeSeconds(hour * 3600);
}
