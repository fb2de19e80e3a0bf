using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tracking.Contracts;

namespace Tracking.Grains.Webhooks;

/// <summary>
/// Schedules webhook delivery attempts (each made by <see cref="WebhookAttempts"/>). Each pass sweeps events
/// into deliveries (the catch-up), claims due deliveries with a lease, and runs each attempt as its own task: an endpoint that stalls holds only its
/// own few slots and its lease, never the others'. Deliveries live in PostgreSQL, so a silo that dies
/// leaves its leases to expire and another pass (here or on another silo) retries them. A claim takes up
/// to <see cref="ClaimAhead"/> times an endpoint's concurrency, queued here behind its slots, so that the
/// claim's round trip is paid once for many attempts rather than once per freed slot.
/// The first attempts of fresh opens and clicks skip the claim: their stream notices reach
/// <see cref="Notify"/> and <see cref="Dispatch"/>, whose statement makes the deliveries already leased to this silo. Claims are
/// left to retries, to what the sweep makes, and to what did not fit here.
/// </summary>
public sealed class WebhookSender(WebhookDeliveryQueue queue, WebhookRegistry registry, WebhookAttempts attempts, IOptions<WebhookOptions> options,
    TimeProvider clock, ILogger<WebhookSender> log) : BackgroundService
{
    static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1), Settle = TimeSpan.FromSeconds(10), IdlePoll = TimeSpan.FromMilliseconds(250),
        ForgetSecretsEvery = TimeSpan.FromMinutes(1);
    const int ClaimAhead = 16;
    // A fresh event's deliveries are made claimed, up to this many held here per endpoint and in all. A
    // delivery that waits here past its lease is dropped, not attempted (another claim may hold it by then),
    // so a fast endpoint can have far more queued than a claim would take without risking a double attempt.
    const int FanOutHeldPerEndpoint = 1024, FanOutHeld = 8192;
    // Each endpoint's slots: at most PerEndpointConcurrency attempts at once, however many are claimed; and
    // each project's, so that one tenant's endpoints cannot take every one of the silo's slots.
    readonly ConcurrentDictionary<Guid, SemaphoreSlim> endpointSlots = new(), projectSlots = new();
    // Deliveries held here per endpoint and per project, waiting for a slot or attempted: what their leases cover.
    readonly ConcurrentDictionary<Guid, StrongBox<int>> endpointHeld = new(), projectHeld = new();
    readonly SemaphoreSlim attemptSlots = new(options.Value.MaxConcurrency);
    readonly WebhookOptions settings = options.Value;
    readonly WakeSignal wake = new();
    readonly EventSequenceMarks sequence = new();
    // Deliveries held here in all, and those of them this silo claimed (rather than made from a notice): the
    // two have budgets of their own, so fresh events cannot crowd out claims of retries, nor the reverse.
    int inFlight, claimedInFlight;
    // Whether the table may hold due deliveries that a claim would take: only then does a freed slot claim at once.
    volatile bool backlog = true;
    CallBatches<Guid, bool>? fanOuts;
    const int MaxNoticesAtOnce = 1000;
    readonly Channel<Guid> notices = Channel.CreateBounded<Guid>(new BoundedChannelOptions(100_000) { SingleReader = true });
    CancellationToken stopping;

    TimeSpan AttemptTimeout => TimeSpan.FromSeconds(settings.TimeoutSeconds);
    // Long enough for the last claimed delivery of an endpoint to wait its turn and then be attempted.
    static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);
    TimeSpan Lease => AttemptTimeout * (ClaimAhead + 1) + LeaseMargin;
    TimeSpan DisableAfter => TimeSpan.FromDays(settings.DisableAfterFailingDays);
    // What a project may have held here: as many as its slots get through within a lease.
    int ProjectHeldLimit => settings.PerProjectConcurrency * ClaimAhead;

    /// <summary>
    /// Queues a fresh event's notice for <see cref="Dispatch"/>, without waiting. A notice that finds the queue
    /// full is dropped: the sweep makes its deliveries a little later.
    /// </summary>
    public void Notify(Guid eventId)
    {
        if (!notices.Writer.TryWrite(eventId)) log.NoticeDropped(eventId);
    }

    /// <summary>Dispatches the queued notices, those waiting together at once.</summary>
    async Task DispatchNotices(CancellationToken stoppingToken)
    {
        var waiting = new List<Guid>();
        // Stopping closes the queue: the loop ends once it has dispatched what was queued.
        await using var closing = stoppingToken.Register(() => notices.Writer.TryComplete());
        while (await notices.Reader.WaitToReadAsync())
        {
            while (waiting.Count < MaxNoticesAtOnce && notices.Reader.TryRead(out var id)) waiting.Add(id);
            await Task.WhenAll(waiting.Select(Dispatch));
            waiting.Clear();
        }
    }

    /// <summary>
    /// Makes the deliveries of a fresh event, and starts the attempts of those this silo has room for.
    /// Concurrent events share one statement. Best effort: a failure is logged and left to the sweep.
    /// </summary>
    public async Task Dispatch(Guid eventId)
    {
        try
        {
            var batches = LazyInitializer.EnsureInitialized(ref fanOuts, () => new(FanOut, maxBatch: 200));
            await batches.Run(eventId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            log.FanOutLeftToSweep(ex, eventId);
        }
    }

    async Task<IReadOnlyList<bool>> FanOut(IReadOnlyList<Guid> eventIds)
    {
        var full = Volatile.Read(ref inFlight) - Volatile.Read(ref claimedInFlight) >= FanOutHeld;
        var endpointRoom = RoomLeft(endpointHeld, full ? 0 : FanOutHeldPerEndpoint);
        var projectRoom = RoomLeft(projectHeld, full ? 0 : ProjectHeldLimit);
        var claimed = await queue.FanOut([.. eventIds], new(endpointRoom, full ? 0 : FanOutHeldPerEndpoint),
            new(projectRoom, full ? 0 : ProjectHeldLimit), Lease);
        foreach (var delivery in claimed) Start(delivery, fromClaim: false);
        // Deliveries were (or may have been) left pending where an endpoint or project had no more room: claim
        // them as slots free up.
        if (full || claimed.Count == 0 || Filled(claimed.CountBy(d => d.WebhookId), endpointRoom, FanOutHeldPerEndpoint)
            || Filled(claimed.CountBy(d => d.ProjectId), projectRoom, ProjectHeldLimit))
            Backlog();
        return eventIds.Select(_ => true).ToArray();
    }

    static Dictionary<Guid, int> RoomLeft(ConcurrentDictionary<Guid, StrongBox<int>> held, int limit) =>
        held.ToDictionary(e => e.Key, e => Math.Max(0, limit - Volatile.Read(ref e.Value.Value)));

    /// <summary>Whether some endpoint or project used all the room it had (or the default, when it had none listed).</summary>
    static bool Filled(IEnumerable<KeyValuePair<Guid, int>> used, Dictionary<Guid, int> room, int fallback) =>
        used.Any(u => u.Value >= room.GetValueOrDefault(u.Key, fallback));

    /// <summary>Runs the attempt of a delivery this silo holds the lease of.</summary>
    void Start(ClaimedDelivery delivery, bool fromClaim)
    {
        var endpoint = endpointHeld.GetOrAdd(delivery.WebhookId, _ => new StrongBox<int>());
        var project = projectHeld.GetOrAdd(delivery.ProjectId, _ => new StrongBox<int>());
        Interlocked.Increment(ref endpoint.Value);
        Interlocked.Increment(ref project.Value);
        Interlocked.Increment(ref inFlight);
        if (fromClaim) Interlocked.Increment(ref claimedInFlight);
        var leaseEnds = clock.GetUtcNow() + Lease;
        _ = Task.Run(() => Attempt(delivery, leaseEnds, stopping), CancellationToken.None)
            .ContinueWith(_ =>
            {
                Interlocked.Decrement(ref endpoint.Value);
                Interlocked.Decrement(ref project.Value);
                Interlocked.Decrement(ref inFlight);
                if (fromClaim) Interlocked.Decrement(ref claimedInFlight);
                if (backlog) Wake();
            }, TaskScheduler.Default);
    }

    /// <summary>Due deliveries wait in the table: claim them now, and again as slots free up.</summary>
    void Backlog()
    {
        backlog = true;
        Wake();
    }

    /// <summary>New deliveries exist: look now rather than at the next poll.</summary>
    public void Wake()
    {
        wake.Set();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stopping = stoppingToken;
        // A silo alone (localhost clustering): a lease found at start-up was taken by a previous run of this
        // silo, which is gone, so its deliveries are due now rather than when the lease (which covers claiming
        // ahead) runs out. In a cluster a lease may be another live silo's: it is left to run out.
        if (settings.AloneInCluster)
            try { await queue.ReleaseLeases(); }
            catch (Exception ex) { log.LeasesNotReleased(ex); }
        var dispatching = DispatchNotices(stoppingToken);
        DateTimeOffset lastSweep = DateTimeOffset.MinValue, lastFullSweep = DateTimeOffset.MinValue, lastForget = DateTimeOffset.MinValue;
        long? sweptTo = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (clock.GetUtcNow() - lastSweep >= SweepEvery)
                {
                    // A quick pass each second over what is new; a full pass over the settle window now and then,
                    // for events that took their sequence number early and committed late.
                    lastSweep = clock.GetUtcNow();
                    var full = lastSweep - lastFullSweep >= Settle;
                    if (full) lastFullSweep = lastSweep;
                    var pass = await queue.Sweep(full ? null : sweptTo,
                        full ? sequence.TakenBefore(lastSweep - Settle) : null, sequence.TakenBefore(lastSweep - WebhookDeliveryQueue.NoticeGrace), settings.SweepBatch);
                    sweptTo = pass.Next;
                    if (pass.Newest is { } seq) sequence.Seen(seq, clock.GetUtcNow(), keep: Settle);
                    if (pass.Made > 0) Backlog();
                    // A backlog of events is swept on at once, a batch a pass.
                    if (pass.More) lastSweep = DateTimeOffset.MinValue;
                }
                if (clock.GetUtcNow() - lastForget >= ForgetSecretsEvery)
                {
                    lastForget = clock.GetUtcNow();
                    await registry.ForgetExpiredSecrets();
                }
                var free = settings.MaxConcurrency * ClaimAhead - Volatile.Read(ref claimedInFlight);
                if (free > 0)
                {
                    var claimed = await queue.Claim(free, settings.PerEndpointConcurrency * ClaimAhead, ProjectHeldLimit, Lease);
                    foreach (var delivery in claimed) Start(delivery, fromClaim: true);
                    if (claimed.Count == free) continue;
                    // Nothing due: freed slots need not ask again. (A backlog made meanwhile also woke this loop.)
                    if (claimed.Count == 0) backlog = false;
                }
                await wake.Wait(IdlePoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.WebhookPassFailed(ex);
                await Task.Delay(IdlePoll, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        await dispatching;
    }

    async Task Attempt(ClaimedDelivery delivery, DateTimeOffset leaseEnds, CancellationToken stopping)
    {
        try
        {
            if (delivery.Keys.Length == 0)
            {
                await queue.AttemptFailed(delivery, null, "The webhook is disabled.", null, null, DisableAfter);
                return;
            }
            if (await Send(delivery, leaseEnds, stopping) is not var (status, error, retryAfter)) return;
            var retryAt = status is >= 200 and < 300 or 410 ? null : attempts.NextAttempt(delivery.Attempts, retryAfter);
            SiloMetrics.WebhookAttempts.Add(1, SiloMetrics.Tag("outcome",
                status is >= 200 and < 300 ? "delivered" : retryAt is null ? "failed" : "retry"));
            if (status is >= 200 and < 300) await queue.Delivered(delivery, status.Value);
            else if (status == (int)HttpStatusCode.Gone)
                await queue.AttemptFailed(delivery, status, error, null, "The endpoint answered 410 Gone.", DisableAfter);
            else await queue.AttemptFailed(delivery, status, error, retryAt, null, DisableAfter);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            log.DeliveryNotRecorded(ex, delivery.Id, delivery.EventId);
        }
    }

    /// <summary>
    /// Posts once a slot of the endpoint and one of the silo are free, and frees them as soon as the answer
    /// is in: recording it (a group commit) does not keep the endpoint waiting. Null when shutting down
    /// first, or when the lease would run out before the attempt could end: the delivery is then due again.
    /// </summary>
    async Task<(int? Status, string Error, TimeSpan? RetryAfter)?> Send(ClaimedDelivery delivery, DateTimeOffset leaseEnds, CancellationToken stopping)
    {
        // The endpoint's slot, then the project's, then the silo's: the silo's waiters are then at most each
        // project's few, taken in turn, so a project with many busy endpoints cannot hold the others back.
        SemaphoreSlim[] slots =
        [
            endpointSlots.GetOrAdd(delivery.WebhookId, _ => new SemaphoreSlim(settings.PerEndpointConcurrency)),
            projectSlots.GetOrAdd(delivery.ProjectId, _ => new SemaphoreSlim(settings.PerProjectConcurrency)),
            attemptSlots,
        ];
        var taken = 0;
        try
        {
            for (; taken < slots.Length; taken++) await slots[taken].WaitAsync(stopping);
            // The margin covers the database's and this clock's view of when the lease was taken.
            if (clock.GetUtcNow() + AttemptTimeout + LeaseMargin > leaseEnds) return null;
            return await attempts.Post(delivery, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            while (taken > 0) slots[--taken].Release();
        }
    }

}
