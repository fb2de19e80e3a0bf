using Orleans.Streams;
using Tracking.Contracts;

namespace Tracking.Grains.Webhooks;

/// <summary>
/// Consumes a project's event stream and turns each event into deliveries at once. The stream is only
/// the fast path: the deliveries are rows, and the sweep in <see cref="WebhookSender"/> makes the same
/// rows for any event whose notice was lost (memory streams are not durable).
/// </summary>
[ImplicitStreamSubscription(EventStreams.Namespace)]
public sealed class WebhookDispatcherGrain(WebhookSender sender) : Grain, IWebhookDispatcherGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(EventStreams.Provider)
            .GetStream<EventNotice>(StreamId.Create(EventStreams.Namespace, this.GetPrimaryKey()));
        await stream.SubscribeAsync((notice, _) => Dispatch(notice));
    }

    // Not awaited: the stream hands this grain one notice at a time, and the sender gathers the notices
    // into one statement only if they reach it together. The sweep covers a notice that comes to nothing.
    public Task Dispatch(EventNotice notice)
    {
        _ = Task.Run(() => sender.Dispatch(notice.EventId));
        return Task.CompletedTask;
    }
}
