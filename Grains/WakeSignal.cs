namespace Tracking.Grains;

/// <summary>
/// Wakes a background loop that waits for work: any number of calls to <see cref="Set"/> while it is busy
/// wake it once. Waiting ends, without an exception, when woken, at the timeout or on cancellation.
/// </summary>
public sealed class WakeSignal
{
    readonly SemaphoreSlim semaphore = new(0, 1);
    readonly Lock gate = new();

    // Under the lock the count is checked and raised as one step, so it never goes past its maximum.
    public void Set()
    {
        lock (gate)
            if (semaphore.CurrentCount == 0) semaphore.Release();
    }

    public Task Wait(TimeSpan timeout, CancellationToken cancellationToken) =>
        ((Task)semaphore.WaitAsync(timeout, cancellationToken)).ContinueWith(_ => { }, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
