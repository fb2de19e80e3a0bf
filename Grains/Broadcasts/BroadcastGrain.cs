using Tracking.Grains.Delivery;
using Tracking.Grains.Emails;
using Tracking.Contracts;
using Tracking.Grains.Links;
using Tracking.Grains.Projects;

namespace Tracking.Grains.Broadcasts;

/// <summary>
/// One content to many recipients. The content is tracked once into a template and stored once; each
/// recipient gets an email of its own (own id, own pixel, links signed for its tid) whose copy is rendered
/// from the template when it is read or sent. So a broadcast costs a row per recipient, not a copy.
/// </summary>
public sealed class BroadcastGrain(BroadcastStore broadcasts, OptOutStore optOuts, TrackingDefaults defaults, TrackingLinks links, Outbox outbox,
    TimeProvider clock)
    : Grain, IBroadcastGrain
{
    public async Task<Outcome<BroadcastCreated>> Create(Guid projectId, BroadcastDraft draft)
    {
        var broadcastId = this.GetPrimaryKey();
        if (await broadcasts.Find(broadcastId, projectId) is not null) return new Conflicting<BroadcastCreated>("The broadcast exists already.");

        var errors = EmailValidation.Validate(draft);
        if (errors.Count > 0) return new Invalid<BroadcastCreated>(errors);

        var flags = await defaults.For(projectId, draft.Tracking);
        var template = EmailTracker.Template(draft.Html, draft.Text, flags, links.TrapDestination);
        if (template.Links.Count > EmailValidation.MaxLinks)
            return new Invalid<BroadcastCreated>(EmailValidation.TooManyLinks(draft.Html is null ? "text" : "html"));
        var now = clock.GetDatabaseNow();
        var from = draft.From!.Trim();

        var optedOut = await optOuts.OptedOut(projectId, draft.Recipients!.Select(r => r.To!));
        var records = new List<EmailRecord>(draft.Recipients!.Length);
        var made = new List<BroadcastEmail>(draft.Recipients.Length);
        foreach (var recipient in draft.Recipients)
        {
            var id = Guid.NewGuid();
            var tid = recipient.Tid ?? id.ToString();
            // The content is the broadcast's, stored once; the row holds what is the recipient's own.
            records.Add(new EmailRecord
            {
                Id = id, ProjectId = projectId, BroadcastId = broadcastId, CreatedAt = now, From = from, To = [recipient.To!],
                Subject = draft.Subject!, Tracking = optedOut.Contains(recipient.To!) ? EmailTracker.Untracked : flags, MessageId = MessageIds.For(id, from), Status = outbox.InitialStatus, Tid = tid,
            });
            made.Add(new BroadcastEmail(id, recipient.To!, tid));
        }
        await broadcasts.Insert(new BroadcastRecord
        {
            Id = broadcastId, ProjectId = projectId, CreatedAt = now, From = from, Subject = draft.Subject!, Tags = draft.Tags ?? [],
            Headers = draft.Headers ?? [], ReplyTo = draft.ReplyTo ?? [], Content = template,
        }, records);
        outbox.Wake();
        return new Done<BroadcastCreated>(new BroadcastCreated(broadcastId, made.Count, now, made.ToArray()));
    }

    public Task<BroadcastView?> Get(Guid projectId) => broadcasts.Find(this.GetPrimaryKey(), projectId);
}
