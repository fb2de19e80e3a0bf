using Orleans.Runtime;
using Microsoft.Extensions.Logging;
using Tracking.Events;
using Tracking.Links;

namespace Tracking.Emails;

/// <summary>
/// One per email. Every open and click is committed to the event log before the call returns; the
/// grain's counts are then written lazily (a few seconds later, or on deactivation) and rebuilt from the
/// log on activation, so the hot path costs one group-committed insert and no state write.
/// </summary>
public sealed class EmailGrain(
    [PersistentState("email", "tracking")] IPersistentState<EmailState> state,
    IEventLog events,
    EmailHtmlRewriter rewriter,
    TrackingSignature signature,
    IpAddressPolicy ipPolicy,
    TimeProvider clock,
    ILogger<EmailGrain> log) : Grain, IEmailGrain
{
    static readonly TimeSpan SaveDelay = TimeSpan.FromSeconds(2);
    IGrainTimer? saveTimer;
    bool dirty;

    Guid EmailId => this.GetPrimaryKey();
    EmailState S => state.State;
    bool Exists => state.RecordExists && S.Email is not null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!Exists) return;
        foreach (var e in await events.ReadAfter(EmailId, S.LastEventSeq)) Apply(e);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (dirty) await Save();
    }

    public async Task<EmailCreation> Create(Guid projectId, EmailDraft draft)
    {
        if (Exists)
            return S.ProjectId == projectId ? new(View(), null) : new(null, new() { ["id"] = ["is already taken"] });

        var errors = EmailValidation.Validate(draft);
        if (errors.Count > 0) return new(null, errors);

        var tracking = new TrackedFlags(draft.Tracking?.Open ?? true, draft.Tracking?.Click ?? true);
        string? html = null;
        if (!string.IsNullOrEmpty(draft.Html))
        {
            var rewritten = rewriter.Rewrite(draft.Html, EmailId, tracking.Open, tracking.Click);
            html = rewritten.Html;
            S.Links = rewritten.Links;
        }

        var now = Now();
        S.ProjectId = projectId;
        S.CreatedAt = now;
        S.Email = new EmailView(EmailId, draft.From!.Trim(), draft.To!, draft.Cc ?? [], draft.Bcc ?? [], draft.ReplyTo ?? [],
            draft.Subject!, html, string.IsNullOrEmpty(draft.Text) ? null : draft.Text,
            draft.Headers ?? [], draft.Tags ?? [], tracking, "stored", now, null, null, 0, 0, []);
        await state.WriteStateAsync();
        return new(View(), null);
    }

    public Task<EmailView?> Get(Guid projectId) =>
        Task.FromResult(Exists && S.ProjectId == projectId ? View() : null);

    public async Task RecordOpen(OpenContext open)
    {
        if (!Exists || !S.Email!.Tracking.Open) return;
        await Record(EventTypes.Opened, open.IpAddress, open.UserAgent, referer: null, link: null);
    }

    public async Task<string?> RecordClick(ClickContext click)
    {
        if (!Exists) return null;
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
            return index is { } i && i < S.Links.Count ? S.Links[i] : null;
        }
        if (click.Tid is null || click.Signature is null) return null;
        if (!TrackingLinks.IsTrackable(click.Url, out var destination)) return null;
        return signature.VerifyBroadcast(EmailId, click.Url, click.Tid, click.Signature) ? destination : null;
    }

    async Task Record(string type, string? ip, string? userAgent, string? referer, string? link)
    {
        var now = Now();
        var e = new EmailEvent(Guid.CreateVersion7(now), EmailId, S.ProjectId, type, now,
            ipPolicy.Apply(ip), Truncate(userAgent, 1024), Truncate(referer, 2048), link);
        var seq = await events.Append(e);
        Apply(e with { Seq = seq });
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
        dirty = true;
        saveTimer ??= this.RegisterGrainTimer(SaveFromTimer, new GrainTimerCreationOptions(SaveDelay, Timeout.InfiniteTimeSpan));
    }

    async Task SaveFromTimer(CancellationToken cancellationToken)
    {
        saveTimer?.Dispose();
        saveTimer = null;
        try { await Save(); }
        catch (Exception ex)
        {
            // The events are durable; the snapshot is retried on the next event or on deactivation.
            log.LogWarning(ex, "Could not save state of email {EmailId}", EmailId);
        }
    }

    async Task Save()
    {
        dirty = false;
        await state.WriteStateAsync();
    }

    EmailView View() => S.Email! with
    {
        OpenedAt = S.OpenedAt,
        ClickedAt = S.ClickedAt,
        OpenCount = S.OpenCount,
        ClickCount = S.ClickCount,
        Links = S.Links.Select(url => new LinkClicks(url, S.LinkClicks.GetValueOrDefault(url)))
            .Concat(S.LinkClicks.Where(c => !S.Links.Contains(c.Key)).Select(c => new LinkClicks(c.Key, c.Value)))
            .ToArray(),
    };

    // PostgreSQL keeps microseconds: a time read back from the event log must equal the one held in memory.
    DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }

    static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
