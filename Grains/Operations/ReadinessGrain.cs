using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Concurrency;
using Tracking.Contracts;

namespace Tracking.Grains.Operations;

/// <summary>Checks, near the caller, that the database answers a trivial query within a couple of seconds.</summary>
[StatelessWorker]
public sealed class ReadinessGrain(NpgsqlDataSource db, ILogger<ReadinessGrain> log) : Grain, IReadinessGrain
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    public async Task<string?> Check()
    {
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
            await using var command = db.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return null;
        }
        catch (Exception ex)
        {
            log.DatabaseUnreachable(ex);
            return "The database cannot be reached.";
        }
    }
}
