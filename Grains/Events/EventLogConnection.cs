using Microsoft.Extensions.Logging;
using Npgsql;

namespace Tracking.Grains.Events;

/// <summary>
/// The event log's own connection to PostgreSQL: one, pipelined (Npgsql multiplexing with a pool of one).
/// The next insert is sent while the one before it runs, so PostgreSQL goes from one commit straight to
/// the next insert instead of waiting a round trip, and the single backend still runs and commits them in
/// the order they were sent. When the connection breaks, the whole data source is replaced: after a
/// restart of PostgreSQL, a multiplexed data source was seen to keep failing on its ended connection, and
/// then to hang.
/// </summary>
public sealed class EventLogConnection(string connectionString, ILogger<EventLogConnection> log) : IAsyncDisposable
{
    // Long enough for whatever was still in flight on a replaced data source to fail or finish (an insert
    // takes milliseconds), and short enough that the data sources replaced while PostgreSQL is down, when
    // every insert fails at once, do not pile up.
    static readonly TimeSpan RetireAfter = TimeSpan.FromSeconds(5);
    readonly object gate = new();
    NpgsqlDataSource? current;

    public NpgsqlDataSource Current
    {
        get
        {
            lock (gate) return current ??= Open();
        }
    }

    /// <summary>Replaces <paramref name="broken"/>, unless another caller has already done so.</summary>
    public void Replace(NpgsqlDataSource broken)
    {
        lock (gate)
        {
            if (current != broken) return;
            current = Open();
        }
        _ = Retire(broken);
    }

    NpgsqlDataSource Open() =>
        new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { Multiplexing = true, MaxPoolSize = 1 } }.Build();

    async Task Retire(NpgsqlDataSource broken)
    {
        try
        {
            await Task.Delay(RetireAfter);
            await broken.DisposeAsync();
        }
        catch (Exception ex)
        {
            log.ReplacedConnectionNotClosed(ex);
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (gate) return current?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
