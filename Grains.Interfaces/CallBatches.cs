using System.Threading.Channels;

namespace Tracking.Contracts;

/// <summary>
/// Coalesces concurrent requests into one call (a database statement, a grain call): while the calls
/// allowed in flight run, newcomers queue up and go together in the next. Under load this turns a round
/// trip per request into one per batch; when idle, a request runs at once, alone. It lives with the
/// contracts because both sides batch: the Gateway its grain calls, the silo its statements.
/// </summary>
/// <param name="run">Runs one batch; answers one result per request, in the same order.</param>
/// <param name="maxInFlight">
/// How many batches may run at once. Batches are started in the order their requests came, which the
/// event log relies on: it sends them down one connection, so they also commit in that order.
/// </param>
/// <param name="maxQueued">At most this many requests wait for a batch; more are refused (see <see cref="TryRun"/>).</param>
public sealed class CallBatches<TRequest, TResult>(
    Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> run, int maxBatch, int maxInFlight = 1, int? maxQueued = null)
{
    readonly Channel<(TRequest Request, TaskCompletionSource<TResult> Done)> pending = maxQueued is { } bound
        ? Channel.CreateBounded<(TRequest, TaskCompletionSource<TResult>)>(new BoundedChannelOptions(bound) { SingleReader = true })
        : Channel.CreateUnbounded<(TRequest, TaskCompletionSource<TResult>)>(new() { SingleReader = true });
    readonly SemaphoreSlim slots = new(maxInFlight, maxInFlight);
    Task? loop;
    volatile bool completing;

    public Task<TResult> Run(TRequest request) =>
        TryRun(request, out var result) ? result : Task.FromException<TResult>(new InvalidOperationException("The queue is full."));

    /// <summary>Queues the request, or answers false at once when the queue is full.</summary>
    public bool TryRun(TRequest request, out Task<TResult> result)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        result = done.Task;
        if (!pending.Writer.TryWrite((request, done)))
        {
            if (!completing) return false;
            done.SetException(new InvalidOperationException("Shutting down: no more calls are run."));
        }
        else if (loop is null)
            lock (pending) loop ??= Task.Run(Loop);
        return true;
    }

    /// <summary>Takes no more requests and completes once the queued ones have run.</summary>
    public Task Complete()
    {
        completing = true;
        pending.Writer.TryComplete();
        lock (pending) return loop ?? Task.CompletedTask;
    }

    async Task Loop()
    {
        while (await pending.Reader.WaitToReadAsync())
        {
            // Waiting for a free slot before taking the queue is what lets a batch grow under load; a batch
            // gives its slot back only once its requests have their results.
            await slots.WaitAsync();
            var batch = new List<(TRequest Request, TaskCompletionSource<TResult> Done)>();
            while (batch.Count < maxBatch && pending.Reader.TryRead(out var item)) batch.Add(item);
            _ = RunBatch(batch);
        }
        for (var i = 0; i < maxInFlight; i++) await slots.WaitAsync();
    }

    async Task RunBatch(List<(TRequest Request, TaskCompletionSource<TResult> Done)> batch)
    {
        try
        {
            var results = await run(batch.ConvertAll(b => b.Request));
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
        }
        catch (Exception ex)
        {
            foreach (var (_, done) in batch) done.TrySetException(ex);
        }
        finally
        {
            slots.Release();
        }
    }
}
