using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Tracking.Grains.Delivery;
using Tracking.Grains.Events;
using Tracking.Contracts;
using Tracking.Grains.Projects;

namespace Tracking.Grains.Emails;

/// <summary>
/// One per email. The email itself is a row of <c>emails</c>, loaded on activation. Opens and clicks are
/// committed to the event log by <see cref="EngagementGrain"/> without waking this grain; the aggregates
/// (first open, counts) are the snapshot in grain storage plus the log's events after it, caught up
/// whenever they are read. The snapshot is written only once enough events have been folded in since the
/// last one that replaying them would cost more than writing it.
/// </summary>
public sealed class EmailGrain(
    [FromKeyedServices(GrainStorage.Name)] IGrainStorage storage,
    EmailStore emails,
    EmailDirectory directory,
    EventReader events,
    EmailTracker tracker,
    OptOutStore optOuts,
    TrackingDefaults defaults,
    Outbox outbox,
    TimeProvider clock,
    ILogger<EmailGrain> log) : Grain, IEmailGrain
{
    static readonly TimeSpan SaveDelay = TimeSpan.FromSeconds(2);
    // Most emails see a handful of events: the log alone serves them, and a snapshot would double their writes.
    const int EventsPerSnapshot = 32;
    const string StateName = "email";
    EmailTracking? email;
    // Null until read: the snapshot, into which the later events are folded.
    Task<GrainState<EmailState>>? aggregates;
    IGrainTimer? saveTimer;
    // Events folded in since the snapshot was read or written.
    int unsaved;

    Guid EmailId => this.GetPrimaryKey();
    EmailState S => aggregates!.Result.State!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        email = await emails.FindTracking(EmailId);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (unsaved < EventsPerSnapshot) return;
        await Save();
    }

    /// <summary>Reads the snapshot once, then folds in whatever the log has committed since.</summary>
    async Task CatchUp()
    {
        // Get is read-only and interleaves: concurrent callers share one snapshot read, and Apply skips
        // an event it has already folded in.
        try { await (aggregates ??= ReadSnapshot()); }
        catch { aggregates = null; throw; }
        var read = await events.ReadAfter(EmailId, S.LastEventSeq);
        var seenAt = clock.GetUtcNow();
        foreach (var e in read) Apply(e, seenAt);
        S.LastEventSeq = LateCommits.Advance(S.LastEventSeq, S.Recent, seenAt);
    }

    async Task<GrainState<EmailState>> ReadSnapshot()
    {
        var loaded = new GrainState<EmailState>(new EmailState());
        await storage.ReadStateAsync(StateName, this.GetGrainId(), loaded);
        loaded.State ??= new EmailState();
        loaded.State.Recent ??= [];
        return loaded;
    }

    public async Task<Outcome<EmailAccepted>> Create(Guid projectId, EmailDraft draft, byte[]? requestHash = null)
    {
        if (email is not null)
        {
            if (email.ProjectId != projectId) return new Invalid<EmailAccepted>(new() { ["id"] = ["is already taken"] });
            if (requestHash is null) return new Done<EmailAccepted>(new(await View(), Replayed: false));
            var madeBy = await emails.RequestHash(EmailId);
            return requestHash.AsSpan().SequenceEqual(madeBy)
                ? new Done<EmailAccepted>(new(await View(), Replayed: true))
                : new Conflicting<EmailAccepted>("This Idempotency-Key was used for a different email.");
        }

        var errors = EmailValidation.Validate(draft);
        if (errors.Count > 0) return new Invalid<EmailAccepted>(errors);

        var flags = await defaults.For(projectId, draft.Tracking);
        // A recipient who opted out is not tracked, nor is anyone else on the same email.
        if ((await optOuts.OptedOut(projectId, [.. draft.To!, .. draft.Cc ?? [], .. draft.Bcc ?? []])).Count > 0) flags = EmailTracker.Untracked;
        var content = tracker.Track(EmailId, draft.Html, draft.Text, flags);
        if (content.Links.Count > EmailValidation.MaxLinks)
            return new Invalid<EmailAccepted>(EmailValidation.TooManyLinks(draft.Html is null ? "text" : "html"));
        var record = new EmailRecord
        {
            Id = EmailId, ProjectId = projectId, CreatedAt = clock.GetDatabaseNow(), From = draft.From!.Trim(), To = draft.To!,
            Cc = draft.Cc ?? [], Bcc = draft.Bcc ?? [], ReplyTo = draft.ReplyTo ?? [], Subject = draft.Subject!,
            Html = content.Html, Text = content.Text, Headers = draft.Headers ?? [], Tags = draft.Tags ?? [],
            Attachments = draft.Attachments ?? [], Tracking = flags, Links = content.Links,
            MessageId = MessageIds.For(EmailId, draft.From!), Status = outbox.InitialStatus, RequestHash = requestHash,
        };
        await emails.Insert(record);
        email = new EmailTracking(projectId, flags, content.Links);
        // Most opens come soon after sending: this silo's event log then knows the email already.
        directory.Add(EmailId, email);
        aggregates = Task.FromResult(new GrainState<EmailState>(new EmailState()));
        outbox.Wake();
        return new Done<EmailAccepted>(new(await View(), Replayed: false));
    }

    public async Task<EmailView?> Get(Guid projectId) =>
        email is not null && email.ProjectId == projectId ? await View() : null;

    public async Task<long[]> Settle(long[] seqs)
    {
        if (email is null) return [];
        await CatchUp();
        await Save();
        return [.. seqs.Where(seq => seq <= S.LastEventSeq || S.Recent.ContainsKey(seq))];
    }

    void Apply(EmailEvent e, DateTimeOffset seenAt)
    {
        if (e.Seq <= S.LastEventSeq || S.Recent.ContainsKey(e.Seq)) return;
        switch (e.Type)
        {
            // The earliest, not the first in the log: two first opens can commit in either order.
            case EventTypes.Opened:
                S.OpenCount++;
                S.OpenedAt = Earliest(S.OpenedAt, e.CreatedAt);
                break;
            case EventTypes.Clicked:
                S.ClickCount++;
                S.ClickedAt = Earliest(S.ClickedAt, e.CreatedAt);
                if (e.Link is not null) S.LinkClicks[e.Link] = S.LinkClicks.GetValueOrDefault(e.Link) + 1;
                break;
        }
        S.Recent[e.Seq] = seenAt;
        if (++unsaved >= EventsPerSnapshot)
            saveTimer ??= this.RegisterGrainTimer(SaveFromTimer, new GrainTimerCreationOptions(SaveDelay, Timeout.InfiniteTimeSpan));
    }

    async Task SaveFromTimer(CancellationToken cancellationToken)
    {
        saveTimer?.Dispose();
        saveTimer = null;
        try
        {
            await Save();
        }
        catch (Exception ex)
        {
            // The events are durable; the snapshot is tried again with the next events or on deactivation.
            log.SnapshotNotSaved(ex, EmailId);
        }
    }

    async Task Save()
    {
        var pending = unsaved;
        unsaved = 0;
        try { await storage.WriteStateAsync(StateName, this.GetGrainId(), aggregates!.Result); }
        catch { unsaved += pending; throw; }
    }

    async Task<EmailView> View()
    {
        var loading = CatchUp();
        var (e, delivery, attachments) = await emails.Find(EmailId) ?? throw new InvalidOperationException($"Email {EmailId} has no row");
        await loading;
        var links = e.Links.Select(url => new LinkClicks(url, S.LinkClicks.GetValueOrDefault(url)))
            .Concat(S.LinkClicks.Where(c => !e.Links.Contains(c.Key)).Select(c => new LinkClicks(c.Key, c.Value)));
        return new EmailView
        {
            Id = e.Id, From = e.From, To = e.To, Cc = e.Cc, Bcc = e.Bcc, ReplyTo = e.ReplyTo, Subject = e.Subject,
            Html = e.Html, Text = e.Text, Headers = e.Headers, Tags = e.Tags, Tracking = e.Tracking, Status = delivery.Status,
            CreatedAt = e.CreatedAt, OpenedAt = S.OpenedAt, ClickedAt = S.ClickedAt, OpenCount = S.OpenCount,
            ClickCount = S.ClickCount, Links = links.ToArray(), BroadcastId = e.BroadcastId, MessageId = e.MessageId,
            Attempts = delivery.Attempts, LastError = delivery.LastError, SmtpResponse = delivery.SmtpResponse,
            SentAt = delivery.SentAt, Attachments = attachments,
        };
    }

    static DateTimeOffset Earliest(DateTimeOffset? known, DateTimeOffset candidate) =>
        known is { } k && k <= candidate ? k : candidate;
}
