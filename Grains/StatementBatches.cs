using System.Threading.Channels;

namespace Tracking;

/// <summary>
/// Coalesces concurrent requests into one database statement: while a batch runs, newcomers queue up and
/// go together in the next. Under load this turns a round trip (and a server process woken) per request
/// into one per batch; when idle, a request runs at once, alone.
/// </summary>
/// <param name="run">Runs one batch; answers one result per request, in the same order.</param>
public sealed class StatementBatches<TRequest, TResult>(Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> run, int maxBatch)
{
    readonly Channel<(TRequest Request, TaskCompletionSource<TResult> Done)> pending =
        Channel.CreateUnbounded<(TRequest, TaskCompletionSource<TResult>)>(new() { SingleReader = true });
    Task? loop;

    public Task<TResult> Run(TRequest request)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!pending.Writer.TryWrite((request, done)))
            done.SetException(new InvalidOperationException("Shutting down: no more statements are run."));
        else if (loop is null)
            lock (pending) loop ??= Task.Run(Loop);
        return done.Task;
    }

    /// <summary>Takes no more requests and completes once the queued ones have run.</summary>
    public Task Complete()
    {
        pending.Writer.TryComplete();
        lock (pending) return loop ?? Task.CompletedTask;
    }

    async Task Loop()
    {
        var batch = new List<(TRequest Request, TaskCompletionSource<TResult> Done)>(maxBatch);
        var requests = new List<TRequest>(maxBatch);
        while (await pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            requests.Clear();
            while (batch.Count < maxBatch && pending.Reader.TryRead(out var item))
            {
                batch.Add(item);
                requests.Add(item.Request);
            }
            try
            {
                var results = await run(requests);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
            }
            catch (Exception ex)
            {
                foreach (var (_, done) in batch) done.TrySetException(ex);
            }
        }
    }
}
