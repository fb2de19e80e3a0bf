using Tracking.Delivery;
using Tracking.Emails;

namespace Tracking.Broadcasts;

/// <summary>
/// One content to many recipients. The content is tracked once into a template; each recipient gets an
/// email of its own (own id, own pixel, links signed for its tid), all written in one transaction.
/// </summary>
public sealed class BroadcastGrain(EmailTracker tracker, EmailStore emails, Outbox outbox, TimeProvider clock)
    : Grain, IBroadcastGrain
{
    public async Task<BroadcastCreation> Create(Guid projectId, BroadcastDraft draft)
    {
        var broadcastId = this.GetPrimaryKey();
        if (await emails.FindBroadcast(broadcastId, projectId) is { } existing) return new(existing, null, null);

        var errors = EmailValidation.Validate(draft);
        if (errors.Count > 0) return new(null, null, errors);

        var flags = EmailTracker.Flags(draft.Tracking);
        var template = tracker.Template(draft.Html, draft.Text, flags);
        if (template.Links.Count > EmailValidation.MaxLinks) return new(null, null, EmailValidation.TooManyLinks(draft.Html is null ? "text" : "html"));
        var now = clock.GetDatabaseNow();
        var from = draft.From!.Trim();

        var records = new List<EmailRecord>(draft.Recipients!.Length);
        var made = new List<BroadcastEmail>(draft.Recipients.Length);
        foreach (var recipient in draft.Recipients)
        {
            var id = Guid.NewGuid();
            var tid = recipient.Tid ?? id.ToString();
            var (html, text) = template.Render(id, tid);
            records.Add(new EmailRecord(id, projectId, broadcastId, now, from, [recipient.To!], [], [], draft.ReplyTo ?? [],
                draft.Subject!, html, text, draft.Headers ?? [], draft.Tags ?? [], [], flags, template.Links,
                MessageIds.For(id, from), outbox.InitialStatus));
            made.Add(new BroadcastEmail(id, recipient.To!, tid));
        }
        await emails.InsertBroadcast(broadcastId, projectId, now, from, draft.Subject!, draft.Tags ?? [], records);
        outbox.Wake();
        return new(await emails.FindBroadcast(broadcastId, projectId), made.ToArray(), null);
    }

    public Task<BroadcastView?> Get(Guid projectId) => emails.FindBroadcast(this.GetPrimaryKey(), projectId);
}
