using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tracking.Tests.Infrastructure;
using Tracking.Grains.Webhooks;

namespace Tracking.Tests.EndToEnd;

/// <summary>
/// A sender of the test's own, on the stack's database, with a clock the test moves: a lease is at least
/// 30 s, too long to wait out for real.
/// </summary>
[Collection(StackCollection.Name)]
public class WebhookLeaseTests(TrackingStack stack)
{
    sealed class MovableClock : TimeProvider
    {
        public TimeSpan Ahead { get; set; }
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Ahead;
    }

    [Fact]
    public async Task A_held_delivery_whose_lease_ran_out_while_it_waited_is_not_attempted()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var path = "lease/" + Guid.NewGuid().ToString("N");
        var registered = await client.PostAsJsonAsync("/v1/webhooks", new { url = stack.Receiver.Url(path), events = new[] { "email.opened" } });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var emailId = Guid.Parse(await client.SendTracked("<p>x</p>"));
        var answer = new TaskCompletionSource();
        stack.Receiver.Hold(path, answer.Task);

        // Three opens written straight to the log: no notice reaches the stack's own silo, and its sweep
        // leaves them alone for 2 s, by which time this sender has made their deliveries.
        var events = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var id = Guid.CreateVersion7();
            await stack.Scalar("""
                INSERT INTO email_events (id, email_id, project_id, type, created_at)
                SELECT $1, id, project_id, 'opened', now() FROM emails WHERE id = $2
                """, id, emailId);
            events.Add(id);
        }
        var clock = new MovableClock();
        var options = Options.Create(new WebhookOptions { AllowHttp = true, AllowedHosts = $"127.0.0.1:{stack.Receiver.Port}", PerEndpointConcurrency = 1 });
        using var sender = new WebhookSender(new WebhookDeliveryQueue(stack.Db, TrackingStack.Box), new WebhookRegistry(stack.Db, TrackingStack.Box),
            new WebhookAttempts(new WebhookUrlPolicy(options), options, clock, NullLogger<WebhookAttempts>.Instance), options, clock,
            NullLogger<WebhookSender>.Instance);
        foreach (var id in events) await sender.Dispatch(id);
        Assert.Equal(3, await stack.Scalar("SELECT count(*) FROM webhook_deliveries WHERE event_id = ANY($1) AND status = 'sending'", events.ToArray()));

        // The first attempt is at the endpoint; the other two wait for its one slot. Their leases run out
        // meanwhile, so another claim may hold them by the time the slot is free.
        await TrackingStack.Eventually(() => Task.FromResult(stack.Receiver.Calls(path) == 1), "the first attempt reaches the endpoint");
        clock.Ahead = TimeSpan.FromHours(1);
        answer.SetResult();

        await TrackingStack.Eventually(async () =>
            await stack.Scalar("SELECT count(*) FROM webhook_deliveries WHERE event_id = ANY($1) AND status = 'delivered'", events.ToArray()) == 1,
            "the first delivery is recorded");
        await TrackingStack.Never(() => Task.FromResult(stack.Receiver.Calls(path) > 1), TimeSpan.FromMilliseconds(500),
            "a delivery whose lease ran out while it waited was attempted");
        Assert.Equal(2, await stack.Scalar(
            "SELECT count(*) FROM webhook_deliveries WHERE event_id = ANY($1) AND status = 'sending' AND attempts = 1", events.ToArray()));
    }
}
