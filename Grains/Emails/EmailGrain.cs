using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.Streams;
using Tracking.Delivery;
using Tracking.Events;
using Tracking.Links;
using Tracking.Webhooks;

namespace Tracking.Emails;

/// <summary>
/// One per email. The email itself is a row of <c>emails</c>, loaded on activation. Every open and click
/// is committed to the event log before the call returns. The aggregates (first open, counts) are the
/// snapshot in grain storage plus the log's events after it; they are loaded only when something reads
/// them, so a pixel or a click on a cold email costs one read and one group-committed insert. The snapshot
/// is written only once enough events have gathered since the last one that replaying them would cost
/// more than writing it.
/// </summary>
public sealed class EmailGrain(
    [FromKeyedServices("tracking")] IGrainStorage storage,
    EmailStore emails,
    IEventLog events,
    EmailTracker tracker,
    TrackingSignature signature,
    IpAddressPolicy ipPolicy,
    Outbox outbox,
    WebhookSubscriptions subscriptions,
    TimeProvider clock,
    ILogger<EmailGrain> log) : Grain, IEmailGrain
{
    static readonly TimeSpan SaveDelay = TimeSpan.FromSeconds(2);
    // Most emails see a handful of events: the log alone serves them, and a snapshot would double their writes.
    const int EventsPerSnapshot = 32;
    const string StateName = "email";
    EmailTracking? email;
    // Null until read: the snapshot with the later events folded in.
    GrainState<EmailState>? aggregates;
    IGrainTimer? saveTimer;
    // Events committed since the snapshot, whether or not the aggregates are loaded.
    int unsaved;

    Guid EmailId => this.GetPrimaryKey();
    EmailState S => aggregates!.State!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        email = await emails.FindTracking(EmailId);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (unsaved < EventsPerSnapshot) return;
        await LoadAggregates();
        await Save();
    }

    async Task LoadAggregates()
    {
        if (aggregates is not null) return;
        var loaded = new GrainState<EmailState>(new EmailState());
        await storage.ReadStateAsync(StateName, this.GetGrainId(), loaded);
        loaded.State ??= new EmailState();
        var missed = await events.ReadAfter(EmailId, loaded.State.LastEventSeq);
        aggregates = loaded;
        unsaved = 0;
        foreach (var e in missed) Apply(e);
    }

    public async Task<EmailCreation> Create(Guid projectId, EmailDraft draft)
    {
        if (email is not null)
            return email.ProjectId == projectId ? new(await View(), null) : new(null, new() { ["id"] = ["is already taken"] });

        var errors = EmailValidation.Validate(draft);
        if (errors.Count > 0) return new(null, errors);

        var flags = EmailTracker.Flags(draft.Tracking);
        var content = tracker.Track(EmailId, draft.Html, draft.Text, flags);
        var record = new EmailRecord(EmailId, projectId, null, clock.GetDatabaseNow(), draft.From!.Trim(), draft.To!, draft.Cc ?? [], draft.Bcc ?? [],
            draft.ReplyTo ?? [], draft.Subject!, content.Html, content.Text, draft.Headers ?? [], draft.Tags ?? [],
            draft.Attachments ?? [], flags, content.Links, MessageIds.For(EmailId, draft.From!), outbox.InitialStatus);
        await emails.Insert(record);
        email = new EmailTracking(projectId, flags, content.Links);
        aggregates = new GrainState<EmailState>(new EmailState());
        outbox.Wake();
        return new(await View(), null);
    }

    public async Task<EmailView?> Get(Guid projectId) =>
        email is not null && email.ProjectId == projectId ? await View() : null;

    public async Task RecordOpen(OpenContext open)
    {
        if (email is null || !email.Tracking.Open) return;
        await Record(EventTypes.Opened, open.IpAddress, open.UserAgent, referer: null, link: null);
    }

    public async Task<string?> RecordClick(ClickContext click)
    {
        if (email is null) return null;
        var destination = Authenticate(click);
        if (destination is null) return null;
        try
        {
            await Record(EventTypes.Clicked, click.IpAddress, click.UserAgent, click.Referer, destination);
        }
        catch (Exception ex)
        {
            // The link is authentic: the recipient still gets where they meant to go; the failure is logged.
            log.LogError(ex, "Click on email {EmailId} was not recorded", EmailId);
        }
        return destination;
    }

    string? Authenticate(ClickContext click)
    {
        if (click.Url is null)
        {
            var index = signature.VerifyClick(click.TrackingId, EmailId);
            return index is { } i && i < email!.Links.Count ? email.Links[i] : null;
        }
        if (click.Tid is null || click.Signature is null) return null;
        if (!TrackingLinks.IsTrackable(click.Url, out var destination)) return null;
        return signature.VerifyBroadcast(EmailId, click.Url, click.Tid, click.Signature) ? destination : null;
    }

    async Task Record(string type, string? ip, string? userAgent, string? referer, string? link)
    {
        var now = clock.GetDatabaseNow();
        var e = new EmailEvent(Guid.CreateVersion7(now), EmailId, email!.ProjectId, type, now,
            ipPolicy.Apply(ip), Truncate(userAgent, 1024), Truncate(referer, 2048), link);
        var seq = await events.Append(e);
        if (aggregates is not null) Apply(e with { Seq = seq });
        else Counted();
        // Committed: tell the project's webhook dispatcher, if it has an endpoint for this. Best effort by
        // design; the sweep finds any event without a notice.
        if (subscriptions.Wants(email!.ProjectId, "email." + type))
            this.GetStreamProvider(EventStreams.Provider)
                .GetStream<EventNotice>(StreamId.Create(EventStreams.Namespace, email.ProjectId))
                .OnNextAsync(new EventNotice(e.Id, EmailId)).Ignore();
    }

    void Apply(EmailEvent e)
    {
        if (e.Seq <= S.LastEventSeq) return;
        switch (e.Type)
        {
            case EventTypes.Opened:
                S.OpenCount++;
                S.OpenedAt ??= e.CreatedAt;
                break;
            case EventTypes.Clicked:
                S.ClickCount++;
                S.ClickedAt ??= e.CreatedAt;
                if (e.Link is not null) S.LinkClicks[e.Link] = S.LinkClicks.GetValueOrDefault(e.Link) + 1;
                break;
        }
        S.LastEventSeq = e.Seq;
        Counted();
    }

    void Counted()
    {
        if (++unsaved >= EventsPerSnapshot)
            saveTimer ??= this.RegisterGrainTimer(SaveFromTimer, new GrainTimerCreationOptions(SaveDelay, Timeout.InfiniteTimeSpan));
    }

    async Task SaveFromTimer(CancellationToken cancellationToken)
    {
        saveTimer?.Dispose();
        saveTimer = null;
        try
        {
            await LoadAggregates();
            await Save();
        }
        catch (Exception ex)
        {
            // The events are durable; the snapshot is tried again with the next events or on deactivation.
            log.LogWarning(ex, "Could not save state of email {EmailId}", EmailId);
        }
    }

    async Task Save()
    {
        var pending = unsaved;
        unsaved = 0;
        try { await storage.WriteStateAsync(StateName, this.GetGrainId(), aggregates!); }
        catch { unsaved += pending; throw; }
    }

    async Task<EmailView> View()
    {
        var loading = LoadAggregates();
        var (e, delivery) = await emails.Find(EmailId) ?? throw new InvalidOperationException($"Email {EmailId} has no row");
        await loading;
        var links = e.Links.Select(url => new LinkClicks(url, S.LinkClicks.GetValueOrDefault(url)))
            .Concat(S.LinkClicks.Where(c => !e.Links.Contains(c.Key)).Select(c => new LinkClicks(c.Key, c.Value)));
        var attachments = e.Attachments.Select(a => new AttachmentInfo(a.Filename!, a.ContentType ?? "application/octet-stream",
            (int)(a.Content!.Length * 3L / 4 - a.Content.TakeLast(2).Count(c => c == '='))));
        return new EmailView(e.Id, e.From, e.To, e.Cc, e.Bcc, e.ReplyTo, e.Subject, e.Html, e.Text, e.Headers, e.Tags,
            e.Tracking, delivery.Status, e.CreatedAt, S.OpenedAt, S.ClickedAt, S.OpenCount, S.ClickCount, links.ToArray(),
            e.BroadcastId, e.MessageId, delivery.Attempts, delivery.LastError, delivery.SmtpResponse, delivery.SentAt,
            attachments.ToArray());
    }

    static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
