using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Streams;
using Tracking.Emails;
using Tracking.Links;
using Tracking.Webhooks;

namespace Tracking.Events;

/// <summary>
/// Records opens and clicks: checks a click's signature, then commits the event in the log's next group
/// insert, which also finds the email's project and a plain click's destination. No per-email grain is
/// activated, so a pixel on a cold email costs one row in a shared statement and no long-lived objects.
/// Reentrant: every call spends its time waiting on the group commit.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class EngagementGrain(
    IEventLog events,
    EmailStore emails,
    TrackingSignature signature,
    IpAddressPolicy ipPolicy,
    WebhookSubscriptions subscriptions,
    TimeProvider clock,
    ILogger<EngagementGrain> log) : Grain, IEngagementGrain
{
    public async Task RecordOpen(Guid emailId, OpenContext open) =>
        await Record(emailId, EventTypes.Opened, open.IpAddress, open.UserAgent, referer: null, link: null, linkIndex: null);

    public async Task<string?> RecordClick(Guid emailId, ClickContext click)
    {
        if (click.Url is null)
        {
            if (signature.VerifyClick(click.TrackingId, emailId) is not { } index) return null;
            try
            {
                return (await Record(emailId, EventTypes.Clicked, click.IpAddress, click.UserAgent, click.Referer, null, index))?.Link;
            }
            catch (Exception ex)
            {
                // The link is authentic: the recipient still gets where they meant to go if the email can be read.
                log.LogError(ex, "Click on email {EmailId} was not recorded", emailId);
                var email = await emails.FindTracking(emailId);
                return email is not null && index < email.Links.Count ? email.Links[index] : null;
            }
        }

        if (click.Tid is null || click.Signature is null) return null;
        if (!TrackingLinks.IsTrackable(click.Url, out var destination)) return null;
        if (!signature.VerifyBroadcast(emailId, click.Url, click.Tid, click.Signature)) return null;
        try
        {
            return (await Record(emailId, EventTypes.Clicked, click.IpAddress, click.UserAgent, click.Referer, destination, null))?.Link;
        }
        catch (Exception ex)
        {
            // Signed by this server for this email: the destination is authentic without the database.
            log.LogError(ex, "Click on email {EmailId} was not recorded", emailId);
            return destination;
        }
    }

    async Task<RecordedEngagement?> Record(Guid emailId, string type, string? ip, string? userAgent, string? referer,
        string? link, int? linkIndex)
    {
        var now = clock.GetDatabaseNow();
        var id = Guid.CreateVersion7(now);
        var recorded = await events.Append(new Engagement(id, emailId, type, now, ipPolicy.Apply(ip),
            Truncate(userAgent, 1024), Truncate(referer, 2048), link, linkIndex));
        // Committed: tell the project's webhook dispatcher, if it has an endpoint for this. Best effort by
        // design; the sweep finds any event without a notice.
        if (recorded is not null && subscriptions.Wants(recorded.ProjectId, "email." + type))
            this.GetStreamProvider(EventStreams.Provider)
                .GetStream<EventNotice>(StreamId.Create(EventStreams.Namespace, recorded.ProjectId))
                .OnNextAsync(new EventNotice(id, emailId)).Ignore();
        return recorded;
    }

    static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
