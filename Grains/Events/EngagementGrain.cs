using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Tracking.Grains.Classification;
using Tracking.Grains.Emails;
using Tracking.Grains.Links;
using Tracking.Grains.Webhooks;
using Tracking.Contracts;

namespace Tracking.Grains.Events;

/// <summary>
/// Records opens and clicks: checks each click's signature, then commits the events of one call together
/// in the log's next group insert, which also finds each email's project and a plain click's destination.
/// No per-email grain is activated, so a pixel on a cold email costs one row in a shared statement and no
/// long-lived objects.
/// Reentrant: every call spends its time waiting on the group commit.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class EngagementGrain(
    IEventLog events,
    EmailStore emails,
    TrackingSignature signature,
    EventClassifier classifier,
    WebhookSubscriptions subscriptions,
    TimeProvider clock,
    ILogger<EngagementGrain> log) : Grain, IEngagementGrain
{
    public async Task<HitOutcome[]> Record(TrackingHit[] hits)
    {
        var outcomes = new HitOutcome[hits.Length];
        var now = clock.GetDatabaseNow();
        var ids = EventIds.New(hits.Length, now);
        var engagements = new List<Engagement>(hits.Length);
        var from = new List<int>(hits.Length);
        var checks = new List<Task>();
        for (var i = 0; i < hits.Length; i++)
        {
            if (ToEngagement(hits[i], ids[i], now) is not { } engagement) continue;
            if (hits[i].CheckOnly) checks.Add(Check(i, engagement));
            else
            {
                engagements.Add(engagement);
                from.Add(i);
            }
        }
        // Hits over their sender's limit are looked up while the others commit.
        if (engagements.Count > 0) await Commit(engagements, from, outcomes);
        await Task.WhenAll(checks);
        return outcomes;

        async Task Check(int at, Engagement engagement) => outcomes[at] = await Unrecorded(engagement);
    }

    async Task Commit(List<Engagement> engagements, List<int> from, HitOutcome[] outcomes)
    {
        IReadOnlyList<RecordedEngagement?> recorded;
        try
        {
            recorded = await events.Append(engagements);
        }
        catch (Exception ex)
        {
            log.EngagementsNotRecorded(ex, engagements.Count);
            var fallbacks = await Task.WhenAll(engagements.Select(Unrecorded));
            for (var j = 0; j < fallbacks.Length; j++) outcomes[from[j]] = fallbacks[j];
            return;
        }

        for (var j = 0; j < engagements.Count; j++)
        {
            if (recorded[j] is not { } r) continue;
            outcomes[from[j]] = new(r.Link, Unavailable: false);
            if (engagements[j].Type == EventTypes.Clicked) WakeMetrics(r.ProjectId);
            // Committed: tell the project's webhook dispatcher, if it has an endpoint for this. Best effort by
            // design; the sweep finds any event without a notice.
            if (subscriptions.Wants(r.ProjectId, engagements[j].Type))
                this.GetStreamProvider(EventStreams.Provider)
                    .GetStream<EventNotice>(StreamId.Create(EventStreams.Namespace, r.ProjectId))
                    .OnNextAsync(new EventNotice(engagements[j].Id, engagements[j].EmailId)).Ignore();
        }
    }

    // When each project's metrics were last woken by this silo: they read clicks within seconds while clicks come.
    static readonly ConcurrentDictionary<Guid, long> MetricsWoken = new();
    static readonly TimeSpan WakeEvery = TimeSpan.FromSeconds(30);

    void WakeMetrics(Guid projectId)
    {
        var now = clock.GetTimestamp();
        if (MetricsWoken.TryGetValue(projectId, out var last) && clock.GetElapsedTime(last, now) < WakeEvery) return;
        MetricsWoken[projectId] = now;
        if (MetricsWoken.Count > 100_000) MetricsWoken.Clear();
        GrainFactory.GetGrain<IProjectMetricsGrain>(projectId).Wake().Ignore();
    }

    /// <summary>The event a hit records, or null when it records nothing: a click whose signature fails.</summary>
    Engagement? ToEngagement(TrackingHit hit, Guid id, DateTimeOffset now)
    {
        if (hit.Open is { } open)
            return New(EventTypes.Opened, open.IpAddress, open.UserAgent, referer: null, link: null, linkIndex: null, head: false);
        if (hit.Click is not { } click) return null;

        if (click.Url is null)
            return signature.VerifyClick(click.TrackingId, hit.EmailId) is { } index
                ? New(EventTypes.Clicked, click.IpAddress, click.UserAgent, click.Referer, link: null, linkIndex: index, click.Head)
                : null;

        if (click.Tid is null || click.Signature is null) return null;
        if (!TrackingLinks.IsTrackable(click.Url, out var destination)) return null;
        if (!signature.VerifyBroadcast(hit.EmailId, click.Url, click.Tid, click.Signature)) return null;
        return New(EventTypes.Clicked, click.IpAddress, click.UserAgent, click.Referer, destination, linkIndex: null, click.Head);

        Engagement New(string type, string? ip, string? userAgent, string? referer, string? link, int? linkIndex, bool head)
        {
            var agent = StorableText.Clean(userAgent, StorableText.MaxUserAgent);
            // Classified on all that came, before the project's privacy drops any of it.
            var (client, machine) = classifier.Classify(type, agent, ip, head);
            return new()
            {
                Id = id, EmailId = hit.EmailId, Type = type, CreatedAt = now, IpAddress = IpAddressPolicy.Full(ip), UserAgent = agent,
                Referer = StorableText.Clean(referer, StorableText.MaxReferer), Link = link, LinkIndex = linkIndex,
                Client = client, Machine = machine,
            };
        }
    }

    /// <summary>
    /// A click not recorded (the sender is over its rate limit, or the log cannot commit) still leads where it
    /// should if that can be known; an open answers nothing.
    /// </summary>
    async Task<HitOutcome> Unrecorded(Engagement e)
    {
        if (e.Type == EventTypes.Opened) return new(null, Unavailable: true);
        // A broadcast link carries its destination, signed by this server for this email.
        if (e.Link is not null) return new(e.Link, Unavailable: false);
        try
        {
            var email = await emails.FindTracking(e.EmailId);
            return new(email is not null && e.LinkIndex < email.Links.Count ? email.Links[e.LinkIndex.Value] : null, false);
        }
        catch (Exception ex)
        {
            // An unchecked link is never followed.
            log.ClickNotChecked(ex, e.EmailId);
            return new(null, Unavailable: true);
        }
    }
}
