using Tracking.Tests.Infrastructure;
using Tracking.Contracts;

namespace Tracking.Tests.Unit;

public class CallBatchesTests
{
    [Fact]
    public async Task Requests_queued_while_a_batch_runs_go_together_in_the_next_and_get_their_own_results()
    {
        var gate = new TaskCompletionSource();
        var batches = new List<int[]>();
        var statements = new CallBatches<int, string>(async requests =>
        {
            lock (batches) batches.Add([.. requests]);
            await gate.Task;
            return requests.Select(r => $"r{r}").ToArray();
        }, maxBatch: 100);

        var first = statements.Run(1);
        await TrackingStack.Eventually(() => Task.FromResult(batches.Count == 1), "the first batch started");
        var later = Enumerable.Range(2, 5).Select(statements.Run).ToArray();
        gate.SetResult();

        Assert.Equal("r1", await first);
        var results = await Task.WhenAll(later);
        Assert.Equal(new[] { "r2", "r3", "r4", "r5", "r6" }, results);
        Assert.Equal([[1], [2, 3, 4, 5, 6]], batches);
    }

    [Fact]
    public async Task With_two_calls_in_flight_a_second_batch_starts_while_the_first_runs_and_a_third_waits()
    {
        var gates = new List<TaskCompletionSource>();
        var batches = new List<int[]>();
        var calls = new CallBatches<int, int>(async requests =>
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (batches) { batches.Add([.. requests]); gates.Add(gate); }
            await gate.Task;
            return requests.ToArray();
        }, maxBatch: 100, maxInFlight: 2);

        var first = calls.Run(1);
        await TrackingStack.Eventually(() => Task.FromResult(batches.Count == 1), "the first batch started");
        var second = calls.Run(2);
        await TrackingStack.Eventually(() => Task.FromResult(batches.Count == 2), "two batches running at once");
        var queued = new[] { calls.Run(3), calls.Run(4) };
        await TrackingStack.Never(() => Task.FromResult(batches.Count > 2), TimeSpan.FromMilliseconds(200), "a third batch started");

        lock (batches) gates[0].SetResult();
        Assert.Equal(1, await first);
        await TrackingStack.Eventually(() => Task.FromResult(batches.Count == 3), "the queued requests went as the next batch");
        lock (batches) { gates[1].SetResult(); gates[2].SetResult(); }
        Assert.Equal(2, await second);
        Assert.Equal(new[] { 3, 4 }, await Task.WhenAll(queued));
        Assert.Equal([[1], [2], [3, 4]], batches);
    }

    [Fact]
    public async Task A_failed_statement_fails_every_request_of_its_batch_and_only_those()
    {
        var calls = 0;
        var statements = new CallBatches<int, int>(requests =>
            Interlocked.Increment(ref calls) == 1
                ? Task.FromException<IReadOnlyList<int>>(new InvalidOperationException("down"))
                : Task.FromResult<IReadOnlyList<int>>(requests.ToArray()), maxBatch: 10);

        await Assert.ThrowsAsync<InvalidOperationException>(() => statements.Run(1));
        Assert.Equal(2, await statements.Run(2));
    }

    [Fact]
    public async Task Completing_drains_what_was_queued_and_refuses_what_comes_after()
    {
        var statements = new CallBatches<int, int>(async requests =>
        {
            await Task.Delay(50);
            return requests.ToArray();
        }, maxBatch: 2);
        var queued = Enumerable.Range(1, 5).Select(statements.Run).ToArray();

        await statements.Complete();

        Assert.All(queued, t => Assert.True(t.IsCompletedSuccessfully));
        var results = await Task.WhenAll(queued);
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, results);
        await Assert.ThrowsAsync<InvalidOperationException>(() => statements.Run(6));
    }

    [Fact]
    public async Task A_full_queue_refuses_at_once_and_takes_requests_again_once_it_drains()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new CallBatches<int, int>(async requests =>
        {
            started.TrySetResult();
            await gate.Task;
            return requests.ToArray();
        }, maxBatch: 100, maxInFlight: 1, maxQueued: 3);

        Assert.True(calls.TryRun(0, out var first));
        await started.Task;
        // The first batch holds the one slot: three more wait, a fourth is refused.
        Assert.True(calls.TryRun(1, out _));
        Assert.True(calls.TryRun(2, out _));
        Assert.True(calls.TryRun(3, out var last));
        Assert.False(calls.TryRun(4, out _));

        gate.SetResult();
        Assert.Equal(0, await first);
        Assert.Equal(3, await last);
        Assert.True(calls.TryRun(5, out var after));
        Assert.Equal(5, await after);
    }
}
