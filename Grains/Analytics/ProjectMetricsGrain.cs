using Microsoft.Extensions.Logging;
using Tracking.Grains.Events;
using Tracking.Contracts;

namespace Tracking.Grains.Analytics;

/// <summary>
/// A project's figures, bucketed by hour for the whole project, each tag and each broadcast. It reads the
/// event log forward from its cursor (every second while active, and before answering) and adds what it
/// counted to the hour rows of <see cref="MetricsStore"/> together with the cursor, so a save writes the
/// hours that changed, however many tags and links the project has, and a report sums hour rows, never
/// events.
/// </summary>
public sealed class ProjectMetricsGrain(MetricsStore store, EventReader reader, IEventLog eventLog, TrackingUrls urls, TimeProvider clock,
    ILogger<ProjectMetricsGrain> log)
    : Grain, IProjectMetricsGrain
{
    const int ReadBatch = 5000;
    // Older than this (by the database's clock), an event is settled as soon as it is read.
    static readonly TimeSpan SurelySettled = TimeSpan.FromMinutes(10);
    static readonly TimeSpan Retention = TimeSpan.FromDays(92);
    static readonly TimeSpan SaveDelay = TimeSpan.FromSeconds(2), PruneEvery = TimeSpan.FromHours(1);

    Guid ProjectId => this.GetPrimaryKey();
    MetricsCursor cursor = new(0, []);
    // Counted since the last save; the cursor above has moved past them already.
    MetricsChanges changes = new();
    bool cursorMoved;
    IGrainTimer? saveTimer;
    Task? reading;
    DateTimeOffset lastPrune = DateTimeOffset.MinValue;
    // The last minute's clicks, for the scanners' bursts that show only in later clicks.
    readonly ClickBursts bursts = new(urls.Trap, clock);
    List<CountedClick> scanned = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        cursor = await store.Cursor(ProjectId);
        this.RegisterGrainTimer(_ => CatchUp(), new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Save();

    public async Task<MetricsReport> Report(MetricsQuery query)
    {
        await Current();
        var nowHour = Hour(clock.GetUtcNow());
        var step = query.GroupBy == "hour" ? 1 : 24;
        var first = query.GroupBy == "hour" ? nowHour - query.Days * 24 + 1 : Day(nowHour) - (query.Days - 1) * 24;
        var last = query.GroupBy == "hour" ? nowHour : Day(nowHour) + 23;
        var hours = await store.Hours(ProjectId, Scope(query), first, last);
        var series = new List<MetricsBucket>();
        for (var start = first; start <= last; start += step)
            series.Add(new MetricsBucket(Start(start), Figures(Sum(hours, start, start + step - 1), query.ExcludeMachine)));
        return new MetricsReport(Start(first), Start(last + 1), query.GroupBy, Figures(Sum(hours, first, last), query.ExcludeMachine), series.ToArray());
    }

    public async Task<LinkMetrics[]> Links(MetricsQuery query)
    {
        await Current();
        var nowHour = Hour(clock.GetUtcNow());
        var first = query.GroupBy == "hour" ? nowHour - query.Days * 24 + 1 : Day(nowHour) - (query.Days - 1) * 24;
        return await store.Links(ProjectId, Scope(query), first);
    }

    public async Task<ClientMetrics[]> Clients(MetricsQuery query)
    {
        await Current();
        var nowHour = Hour(clock.GetUtcNow());
        var first = query.GroupBy == "hour" ? nowHour - query.Days * 24 + 1 : Day(nowHour) - (query.Days - 1) * 24;
        return await store.Clients(ProjectId, Scope(query), first);
    }

    public Task Wake() => Task.CompletedTask;

    public async Task<long> EventCount(long fromHour, string? eventType)
    {
        await Current();
        var c = Sum(await store.Hours(ProjectId, MetricsStore.All, fromHour, long.MaxValue), long.MinValue, long.MaxValue);
        return eventType switch
        {
            EventTypes.Sent => c.Sent,
            EventTypes.Delivered => c.Delivered,
            EventTypes.Failed => c.Failed,
            EventTypes.Opened => c.Opens,
            EventTypes.Clicked => c.Clicks,
            _ => (long)c.Sent + c.Delivered + c.Failed + c.Opens + c.Clicks,
        };
    }

    /// <summary>Reads what the log has committed and saves it, so that the hour rows hold every event so far.</summary>
    async Task Current()
    {
        await CatchUp();
        await Save();
    }

    /// <summary>Reads and counts every committed event not yet counted. One reader at a time; callers share it.</summary>
    Task CatchUp()
    {
        if (reading is { IsCompleted: false }) return reading;
        return reading = Read();
    }

    async Task Read()
    {
        var after = cursor.SettledSeq;
        while (true)
        {
            var (dbNow, batch) = await reader.After(ProjectId, after, ReadBatch);
            var seenAt = clock.GetUtcNow();
            foreach (var e in batch)
            {
                after = e.Seq;
                if (cursor.Recent.ContainsKey(e.Seq)) continue;
                changes.Count(e);
                if (e.Type == EventTypes.Clicked) scanned.AddRange(bursts.Add(new CountedClick(e), e.EmailLinks));
                cursorMoved = true;
                // Long-committed events need no watching; recent ones are watched until they settle.
                cursor.Recent[e.Seq] = e.CreatedAt < dbNow - SurelySettled ? DateTimeOffset.MinValue : seenAt;
            }
            if (batch.Count < ReadBatch) break;
        }
        if (scanned.Count > 0) await Revise();
        bursts.Forget();

        var settled = LateCommits.Advance(cursor.SettledSeq, cursor.Recent, clock.GetUtcNow());
        if (settled != cursor.SettledSeq)
        {
            cursor = cursor with { SettledSeq = settled };
            cursorMoved = true;
        }
        if (cursorMoved)
            saveTimer ??= this.RegisterGrainTimer(async _ =>
            {
                saveTimer?.Dispose();
                saveTimer = null;
                try { await Save(); }
                catch (Exception ex) { log.MetricsNotSaved(ex, ProjectId); }
            }, new GrainTimerCreationOptions(SaveDelay, Timeout.InfiniteTimeSpan));
    }

    /// <summary>
    /// Marks the clicks of a scanner's burst in the log, then counts them as a machine's instead of a person's:
    /// should the mark fail, they stay a person's in both, and are looked at again with the next click.
    /// </summary>
    async Task Revise()
    {
        var clicks = scanned;
        scanned = [];
        try
        {
            await eventLog.Revise([.. clicks.Select(c => c.Event.Id)], MachineReasons.LinkScanner);
        }
        catch (Exception ex)
        {
            log.ClicksNotRevised(ex, clicks.Count, ProjectId);
            return;
        }
        foreach (var email in clicks.GroupBy(c => c.Event.EmailId))
        {
            var lostFirst = false;
            foreach (var click in email)
            {
                click.Machine = MachineReasons.LinkScanner;
                changes.Recount(click.Event, machine: 1, uniqueHuman: click.FirstHumanClick ? -1 : 0);
                lostFirst |= click.FirstHumanClick;
                click.FirstHumanClick = false;
            }
            // The email's first click by a person is now its next one, if it had one.
            if (lostFirst && bursts.Of(email.Key).FirstOrDefault(c => c.Machine is null) is { } next)
            {
                next.FirstHumanClick = true;
                changes.Recount(next.Event, machine: 0, uniqueHuman: 1);
            }
        }
        cursorMoved = true;
    }

    /// <summary>Adds what was counted since the last save, with the cursor; on failure they wait for the next.</summary>
    async Task Save()
    {
        if (!cursorMoved) return;
        var (saving, savedCursor) = (changes, cursor with { Recent = new(cursor.Recent) });
        changes = new();
        cursorMoved = false;
        try
        {
            await store.Save(ProjectId, saving, savedCursor);
        }
        catch
        {
            // Counted meanwhile goes on top of what could not be saved.
            foreach (var (key, counts) in changes.Hours) saving.Hour(key.Scope, key.Hour).Add(counts);
            foreach (var (key, counts) in changes.Clients) saving.Client(key.Scope, key.Hour, key.Client).Add(counts);
            foreach (var (key, counts) in changes.Links)
            {
                var link = saving.Link(key.Scope, key.Hour, key.Url);
                link.Clicks += counts.Clicks;
                link.UniqueClicks += counts.UniqueClicks;
            }
            changes = saving;
            cursorMoved = true;
            throw;
        }
        if (clock.GetUtcNow() - lastPrune >= PruneEvery)
        {
            lastPrune = clock.GetUtcNow();
            await store.Prune(ProjectId, Hour(lastPrune - Retention));
        }
    }

    static string Scope(MetricsQuery query) =>
        query.Tag is { } tag ? MetricsStore.TagScope(tag)
        : query.BroadcastId is { } b ? MetricsStore.BroadcastScope(b)
        : MetricsStore.All;

    static HourCounts Sum(Dictionary<long, HourCounts> hours, long first, long last)
    {
        var sum = new HourCounts();
        foreach (var (hour, c) in hours)
            if (hour >= first && hour <= last) sum.Add(c);
        return sum;
    }

    /// <summary>
    /// Rates are percent of delivered (click-to-open: of unique opens), two decimals, 0 when there is no base.
    /// Excluding machines, the headline figures are people's.
    /// </summary>
    static MetricsFigures Figures(HourCounts c, bool excludeMachine)
    {
        long delivered = c.Delivered + c.StoredSent;
        long humanOpens = c.Opens - c.ApplePrivacyOpens - c.PrefetchOpens, humanClicks = c.Clicks - c.ScannerClicks;
        var (opens, uniqueOpens, clicks, uniqueClicks) = excludeMachine
            ? (humanOpens, c.UniqueHumanOpens, humanClicks, c.UniqueHumanClicks)
            : (c.Opens, c.UniqueOpens, c.Clicks, c.UniqueClicks);
        return new MetricsFigures
        {
            Sent = c.Sent, Delivered = delivered, Opens = opens, UniqueOpens = uniqueOpens, Clicks = clicks, UniqueClicks = uniqueClicks,
            OpenRate = Rate(uniqueOpens, delivered), ClickRate = Rate(uniqueClicks, delivered), ClickToOpenRate = Rate(uniqueClicks, uniqueOpens),
            HumanOpens = humanOpens, UniqueHumanOpens = c.UniqueHumanOpens, HumanClicks = humanClicks, UniqueHumanClicks = c.UniqueHumanClicks,
            HumanOpenRate = Rate(c.UniqueHumanOpens, delivered), HumanClickRate = Rate(c.UniqueHumanClicks, delivered),
            HumanClickToOpenRate = Rate(c.UniqueHumanClicks, c.UniqueHumanOpens),
            MachineOpens = new() { [MachineReasons.ApplePrivacyProxy] = c.ApplePrivacyOpens, [MachineReasons.Prefetch] = c.PrefetchOpens },
            MachineClicks = new() { [MachineReasons.LinkScanner] = c.ScannerClicks },
        };
    }

    static decimal Rate(long part, long whole) => whole == 0 ? 0 : Math.Round(100m * part / whole, 2, MidpointRounding.AwayFromZero);

    public static long Hour(DateTimeOffset at) => at.ToUnixTimeSeconds() / 3600;
    static long Day(long hour) => hour - hour % 24;
    static DateTimeOffset Start(long hour) => DateTimeOffset.FromUnixTimeSeconds(hour * 3600);
}
