using Npgsql;
using Tracking.Contracts;

namespace Tracking.Silo;

/// <summary>
/// Grain calls that fail on a transient database error (PostgreSQL restarting, a pooled connection it
/// ended) fail with <see cref="DatabaseUnavailableException"/>, which the Gateway answers with a 503 to retry.
/// </summary>
public sealed class TransientDatabaseErrors : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (NpgsqlException ex) when (ex.IsTransient)
        {
            throw new DatabaseUnavailableException($"The database could not be reached: {ex.Message}");
        }
    }
}
