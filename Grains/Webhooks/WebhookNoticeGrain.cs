using Orleans.Streams;
using Tracking.Contracts;

namespace Tracking.Grains.Webhooks;

/// <summary>
/// Takes a project's event notices off its stream and hands them to this silo's <see cref="WebhookSender"/>,
/// which turns notices that arrive together into deliveries with one statement. The stream is only the
/// fast path: the deliveries are rows, and the sender's sweep makes the same rows for any event whose
/// notice was lost (memory streams are not durable).
/// </summary>
[ImplicitStreamSubscription(EventStreams.Namespace)]
public sealed class WebhookNoticeGrain(WebhookSender sender) : Grain, IWebhookNoticeGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(EventStreams.Provider)
            .GetStream<EventNotice>(StreamId.Create(EventStreams.Namespace, this.GetPrimaryKey()));
        await stream.SubscribeAsync((notice, _) => Accept(notice));
    }

    // A hand-off, not the fan-out itself: the stream gives this grain one notice at a time, and the sender
    // can only make one statement of the notices that reach it together.
    public Task Accept(EventNotice notice)
    {
        sender.Notify(notice.EventId);
        return Task.CompletedTask;
    }
}
