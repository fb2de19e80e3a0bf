using System.Net;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tracking.Webhooks;

/// <summary>
/// Makes webhook delivery attempts. Each pass sweeps events into deliveries (the catch-up), claims due
/// deliveries with a lease, and runs each attempt as its own task: an endpoint that stalls holds only its
/// own few slots and its lease, never the others'. Deliveries live in PostgreSQL, so a silo that dies
/// leaves its leases to expire and another pass (here or on another silo) retries them. A claim takes up
/// to <see cref="ClaimAhead"/> times an endpoint's concurrency, queued here behind its slots, so that the
/// claim's round trip is paid once for many attempts rather than once per freed slot.
/// </summary>
public sealed class WebhookSender(WebhookStore store, WebhookUrlPolicy policy, IOptions<WebhookOptions> options,
    TimeProvider clock, ILogger<WebhookSender> log) : BackgroundService
{
    static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1), Settle = TimeSpan.FromSeconds(10), IdlePoll = TimeSpan.FromMilliseconds(250);
    const int ClaimAhead = 16;
    // Each endpoint's slots: at most PerEndpointConcurrency attempts at once, however many are claimed.
    readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, SemaphoreSlim> endpointSlots = new();
    readonly SemaphoreSlim attemptSlots = new(options.Value.MaxConcurrency);
    readonly WebhookOptions settings = options.Value;
    readonly TimeSpan[] schedule = options.Value.RetrySchedule;
    readonly SemaphoreSlim wake = new(0, 1);
    readonly HttpClient http = new(new SocketsHttpHandler
    {
        ConnectCallback = policy.Connect,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    }) { Timeout = Timeout.InfiniteTimeSpan };
    int inFlight;

    TimeSpan AttemptTimeout => TimeSpan.FromSeconds(settings.TimeoutSeconds);
    // Long enough for the last claimed delivery of an endpoint to wait its turn and then be attempted.
    TimeSpan Lease => AttemptTimeout * (ClaimAhead + 1) + TimeSpan.FromSeconds(30);
    TimeSpan DisableAfter => TimeSpan.FromDays(settings.DisableAfterFailingDays);

    /// <summary>New deliveries exist: look now rather than at the next poll.</summary>
    public void Wake()
    {
        if (wake.CurrentCount == 0) try { wake.Release(); } catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The silo is alone (localhost clustering): a lease found at start-up was taken by a previous run
        // of this silo, which is gone, so its deliveries are due now rather than when the lease (which
        // covers claiming ahead) runs out. A cluster would have to know which silo holds a lease first.
        try { await store.ReleaseLeases(); }
        catch (Exception ex) { log.LogWarning(ex, "Could not release the leases of a previous run"); }
        var lastSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (clock.GetUtcNow() - lastSweep >= SweepEvery)
                {
                    lastSweep = clock.GetUtcNow();
                    await store.Sweep(Settle);
                }
                var free = settings.MaxConcurrency * ClaimAhead - Volatile.Read(ref inFlight);
                if (free > 0)
                {
                    var claimed = await store.Claim(free, settings.PerEndpointConcurrency * ClaimAhead, Lease);
                    foreach (var delivery in claimed)
                    {
                        Interlocked.Increment(ref inFlight);
                        _ = Task.Run(() => Attempt(delivery, stoppingToken), CancellationToken.None)
                            .ContinueWith(_ => { Interlocked.Decrement(ref inFlight); Wake(); }, TaskScheduler.Default);
                    }
                    if (claimed.Count == free) continue;
                }
                await wake.WaitAsync(IdlePoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception ex)
            {
                log.LogError(ex, "Webhook pass failed");
                try { await Task.Delay(IdlePoll, stoppingToken); } catch (OperationCanceledException) { }
            }
        }
    }

    async Task Attempt(ClaimedDelivery delivery, CancellationToken stopping)
    {
        try
        {
            if (delivery.Keys.Length == 0)
            {
                await store.AttemptFailed(delivery, null, "The webhook is disabled.", null, null, DisableAfter);
                return;
            }
            if (await Send(delivery, stopping) is not var (status, error, retryAfter)) return;
            if (status is >= 200 and < 300) await store.Delivered(delivery, status.Value);
            else if (status == (int)HttpStatusCode.Gone)
                await store.AttemptFailed(delivery, status, error, null, "The endpoint answered 410 Gone.", DisableAfter);
            else await store.AttemptFailed(delivery, status, error, NextAttempt(delivery.Attempts, retryAfter), null, DisableAfter);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            log.LogError(ex, "Webhook delivery {DeliveryId} could not be recorded", delivery.Id);
        }
    }

    /// <summary>
    /// Posts once a slot of the endpoint and one of the silo are free, and frees them as soon as the answer
    /// is in: recording it (a group commit) does not keep the endpoint waiting. Null when shutting down
    /// first; the lease then runs out and the delivery is due again.
    /// </summary>
    async Task<(int? Status, string Error, TimeSpan? RetryAfter)?> Send(ClaimedDelivery delivery, CancellationToken stopping)
    {
        var slots = endpointSlots.GetOrAdd(delivery.WebhookId, _ => new SemaphoreSlim(settings.PerEndpointConcurrency));
        try
        {
            await slots.WaitAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        try
        {
            await attemptSlots.WaitAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            slots.Release();
            return null;
        }
        try
        {
            return await Post(delivery, stopping);
        }
        finally
        {
            attemptSlots.Release();
            slots.Release();
        }
    }

    async Task<(int? Status, string Error, TimeSpan? RetryAfter)> Post(ClaimedDelivery delivery, CancellationToken stopping)
    {
        var id = WebhookSignature.EventId(delivery.EventId);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString());
        request.Headers.Add("webhook-signature", WebhookSignature.Header(delivery.Keys, id, timestamp, delivery.Payload));
        request.Headers.UserAgent.ParseAdd("Tracking-Webhooks/1.0");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(AttemptTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            TimeSpan? retryAfter = status is 429 or 503 ? response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - clock.GetUtcNow(),
                _ => null,
            } : null;
            return (status, $"The endpoint answered {status}.", retryAfter);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (null, $"No answer within {settings.TimeoutSeconds} s.", null);
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.InnerException is WebhookBlockedException blocked ? blocked.Message : ex.Message, null);
        }
    }

    /// <summary>The schedule's delay after this attempt (±10% jitter), or Retry-After when the endpoint asked; null when none are left.</summary>
    DateTimeOffset? NextAttempt(int attempts, TimeSpan? retryAfter)
    {
        if (attempts > schedule.Length) return null;
        var delay = schedule[attempts - 1] * (0.9 + Random.Shared.NextDouble() * 0.2);
        if (retryAfter is { } asked && asked > TimeSpan.Zero) delay = asked < TimeSpan.FromDays(1) ? asked : TimeSpan.FromDays(1);
        return clock.GetUtcNow() + delay;
    }

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }
}
