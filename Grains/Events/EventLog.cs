using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Text;
using Npgsql;
using Tracking.Grains.Emails;
using Tracking.Contracts;

namespace Tracking.Grains.Events;

/// <summary>The durable record of opens and clicks: appends to the <c>email_events</c> table.</summary>
public interface IEventLog
{
    /// <summary>
    /// Completes once the engagements are committed, with one result each, in order: null when nothing was
    /// recorded because the email does not exist, does not track opens (for an open), or has no link at the
    /// index (for a plain click).
    /// </summary>
    Task<IReadOnlyList<RecordedEngagement?>> Append(IReadOnlyList<Engagement> engagements);

    /// <summary>
    /// Marks events a machine's that were a person's, for a reason seen only later (a scanner's burst of clicks).
    /// The one change an event's row ever takes.
    /// </summary>
    Task Revise(IReadOnlyList<Guid> eventIds, string machine);
}

/// <summary>
/// The one writer of <c>email_events</c> (<see cref="EventReader"/> is its one reader). Opens and clicks are
/// appended by group commit: appends from concurrent requests queue up while inserts are in flight and then
/// go together in the next insert, so durability costs one round trip per batch, not per event. An email's
/// lifecycle events (sent, delivered, failed) are appended in the transaction of the change they record.
/// </summary>
public sealed class EventLog : IHostedService, IEventLog
{
    readonly NpgsqlDataSource db;
    readonly EventLogConnection connection;
    readonly EmailDirectory directory;
    readonly ProjectPrivacy privacy;
    readonly string trapDestination;
    readonly ILogger<EventLog> log;
    readonly CallBatches<IReadOnlyList<Engagement>, IReadOnlyList<RecordedEngagement?>> appends;

    public EventLog(NpgsqlDataSource db, EventLogConnection connection, EmailDirectory directory, ProjectPrivacy privacy, TrackingUrls urls,
        ILogger<EventLog> log)
    {
        this.db = db;
        trapDestination = urls.Trap;
        this.privacy = privacy;
        this.connection = connection;
        this.directory = directory;
        this.log = log;
        // Each append is one grain call's hits (the Gateway sends up to 1,000 together). Two inserts in
        // flight: one running, the next already waiting on the connection.
        appends = new(Insert, maxBatch: 16, maxInFlight: 2);
    }

    public Task<IReadOnlyList<RecordedEngagement?>> Append(IReadOnlyList<Engagement> engagements) => appends.Run(engagements);

    /// <summary>Appends the <c>sent</c> event of each email (the API took it), in the caller's transaction.</summary>
    public static async Task AppendSent(NpgsqlConnection connection, IReadOnlyList<Guid> emailIds)
    {
        await using var sent = new NpgsqlCommand($"""
            INSERT INTO email_events (id, email_id, project_id, type, created_at)
            SELECT gen_random_uuid(), id, project_id, '{EventTypes.Sent}', created_at FROM emails WHERE id = ANY($1)
            """, connection);
        sent.Parameters.Add(new() { Value = emailIds.ToArray() });
        await sent.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A statement that appends the <c>delivered</c> or <c>failed</c> event of each email in <c>outcome</c>
    /// (id, project_id, status), a common table expression of the caller's statement that changed their status:
    /// the change and its event commit together. Emails still queued have none.
    /// </summary>
    public const string AppendOutcomes = $"""
        INSERT INTO email_events (id, email_id, project_id, type, created_at)
        SELECT gen_random_uuid(), id, project_id,
               CASE status WHEN '{EmailStatuses.Sent}' THEN '{EventTypes.Delivered}' ELSE '{EventTypes.Failed}' END, now()
        FROM outcome WHERE status IN ('{EmailStatuses.Sent}', '{EmailStatuses.Failed}')
        """;

    public async Task Revise(IReadOnlyList<Guid> eventIds, string machine)
    {
        await using var command = db.CreateCommand("UPDATE email_events SET machine = $2 WHERE id = ANY($1) AND machine IS NULL");
        command.Parameters.Add(new() { Value = eventIds.ToArray() });
        command.Parameters.Add(new() { Value = machine });
        await command.ExecuteNonQueryAsync();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>On shutdown the queue drains: every append already taken is committed or failed.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => appends.Complete().WaitAsync(cancellationToken);

    async Task<IReadOnlyList<IReadOnlyList<RecordedEngagement?>>> Insert(IReadOnlyList<IReadOnlyList<Engagement>> appended)
    {
        var events = appended.SelectMany(a => a).ToArray();
        RecordedEngagement?[] recorded;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            recorded = await InsertIsolating(events);
            SiloMetrics.CommitDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            SiloMetrics.CommitBatch.Record(events.Length);
            Count(events, recorded);
        }
        catch (Exception ex)
        {
            log.EventsNotCommitted(ex, events.Length);
            throw;
        }
        var results = new IReadOnlyList<RecordedEngagement?>[appended.Count];
        for (int i = 0, start = 0; i < appended.Count; start += appended[i].Count, i++)
            results[i] = new ArraySegment<RecordedEngagement?>(recorded, start, appended[i].Count);
        return results;
    }

    static void Count(Engagement[] events, RecordedEngagement?[] recorded)
    {
        int opens = 0, clicks = 0, openDrops = 0, clickDrops = 0;
        for (var i = 0; i < events.Length; i++)
        {
            var open = events[i].Type == EventTypes.Opened;
            if (recorded[i] is null) { if (open) openDrops++; else clickDrops++; }
            else if (open) opens++;
            else clicks++;
        }
        if (opens > 0) SiloMetrics.EventsRecorded.Add(opens, SiloMetrics.Tag("type", EventTypes.Opened));
        if (clicks > 0) SiloMetrics.EventsRecorded.Add(clicks, SiloMetrics.Tag("type", EventTypes.Clicked));
        // Rows the database refused are counted where they are set apart; the rest were not to be recorded.
        if (openDrops > 0) SiloMetrics.EventsDropped.Add(openDrops, SiloMetrics.Tag("type", EventTypes.Opened), SiloMetrics.Tag("reason", "untracked"));
        if (clickDrops > 0) SiloMetrics.EventsDropped.Add(clickDrops, SiloMetrics.Tag("type", EventTypes.Clicked), SiloMetrics.Tag("reason", "untracked"));
    }

    /// <summary>
    /// Inserts, and when a row's data fails the insert (a value PostgreSQL or Npgsql refuses), inserts the
    /// halves apart, down to the bad row alone, which is not recorded: one stranger's hit never costs the
    /// others sharing its insert their record.
    /// </summary>
    async Task<RecordedEngagement?[]> InsertIsolating(IReadOnlyList<Engagement> events)
    {
        try
        {
            return await InsertAll(events);
        }
        catch (Exception ex) when (IsBadData(ex))
        {
            if (events.Count == 1)
            {
                log.EventDropped(ex, events[0].Id, events[0].EmailId);
                SiloMetrics.EventsDropped.Add(1, SiloMetrics.Tag("type", events[0].Type), SiloMetrics.Tag("reason", "bad_data"));
                return [null];
            }
            var half = events.Count / 2;
            var first = await InsertIsolating(events.Take(half).ToArray());
            var second = await InsertIsolating(events.Skip(half).ToArray());
            return [.. first, .. second];
        }
    }

    // Data exceptions (SQLSTATE class 22) and text Npgsql cannot encode; anything else fails the batch whole.
    static bool IsBadData(Exception ex) => ex is PostgresException { SqlState: ['2', '2', ..] } or EncoderFallbackException;

    /// <summary>
    /// Inserts, and when the connection breaks on the way (PostgreSQL restarted, say), finds out whether the
    /// insert committed and sends it again if not, a few times while the server comes back. An insert
    /// commits whole, and the events' ids are unique, so one committed row tells.
    /// </summary>
    async Task<RecordedEngagement?[]> InsertAll(IReadOnlyList<Engagement> events)
    {
        for (var attempt = 0; ; attempt++)
        {
            var source = connection.Current;
            try
            {
                return attempt == 0 ? await Insert(source, events) : await Committed(source, events) ?? await Insert(source, events);
            }
            catch (NpgsqlException ex) when (ex.IsTransient && attempt < RetryDelays.Length)
            {
                log.EventCommitRetried(ex, events.Count);
                connection.Replace(source);
                await Task.Delay(RetryDelays[attempt]);
            }
        }
    }

    static readonly TimeSpan[] RetryDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)];

    /// <summary>What an insert of these events recorded, if it committed; null if nothing of it is there.</summary>
    static async Task<RecordedEngagement?[]?> Committed(NpgsqlDataSource source, IReadOnlyList<Engagement> events)
    {
        await using var command = source.CreateCommand("SELECT id, project_id, link FROM email_events WHERE id = ANY($1)");
        command.Parameters.Add(new() { Value = events.Select(e => e.Id).ToArray() });
        await using var reader = await command.ExecuteReaderAsync();
        var recorded = await ReadRecorded(reader, events);
        return recorded.Any(r => r is not null) ? recorded : null;
    }

    // Whether an email exists and tracks this, its project, and a plain click's destination come from the
    // email directory when it knows the email, and otherwise from a join with emails in the same insert,
    // with the email's row read in the same round trip for the directory. The hot path needs no read of
    // its own and no email grain.
    async Task<RecordedEngagement?[]> Insert(NpgsqlDataSource source, IReadOnlyList<Engagement> events)
    {
        var known = new List<(Engagement Event, Guid ProjectId, string? Link, KeptData Kept)>(events.Count);
        var unknown = new List<Engagement>();
        foreach (var e in events)
        {
            // An email the directory knows, of a project whose privacy this silo has read, needs no join.
            if (!directory.TryFind(e.EmailId, out var email) || !privacy.TryGet(email.ProjectId, out var kept)) unknown.Add(e);
            else if (Recordable(e, email) is (true, var link)) known.Add((e, email.ProjectId, link, kept));
        }

        await using var batch = source.CreateBatch();
        NpgsqlBatchCommand? read = null;
        if (unknown.Count > 0)
        {
            read = new(EmailStore.TrackingQuery);
            read.Parameters.Add(new() { Value = unknown.Select(e => e.EmailId).Distinct().ToArray() });
            batch.BatchCommands.Add(read);
        }
        var insert = EngagementInsert.Command(privacy.DefaultIpStorage, trapDestination, known, unknown);
        batch.BatchCommands.Add(insert);

        // One round trip and one transaction: without a transaction of its own, the batch commits once, at its end.
        await using var reader = await batch.ExecuteReaderAsync();
        if (read is not null)
        {
            while (await reader.ReadAsync())
                directory.Add(reader.GetGuid(0), EmailStore.ReadTracking(reader));
            await reader.NextResultAsync();
        }
        return await ReadRecorded(reader, events);
    }

    /// <summary>Rows of (id, project_id, link), as one result per event, in order: null for an event with no row.</summary>
    static async Task<RecordedEngagement?[]> ReadRecorded(NpgsqlDataReader reader, IReadOnlyList<Engagement> events)
    {
        var recorded = new Dictionary<Guid, RecordedEngagement>(events.Count);
        while (await reader.ReadAsync())
            recorded[reader.GetGuid(0)] = new RecordedEngagement(reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        return events.Select(e => recorded.GetValueOrDefault(e.Id)).ToArray();
    }

    /// <summary>What the join's condition says, for an email the directory knows: an open needs open tracking, a click a destination.</summary>
    static (bool, string?) Recordable(Engagement e, EmailTracking email)
    {
        if (e.Type == EventTypes.Opened) return (email.Tracking.Open, null);
        var link = e.Link ?? (e.LinkIndex is int i && i >= 0 && i < email.Links.Count ? email.Links[i] : null);
        return (link is not null, link);
    }
}
