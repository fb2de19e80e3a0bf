using Npgsql;

namespace Tracking.Silo;

public static class DatabaseConnection
{
    /// <summary>
    /// Defaults for the silo's connections, unless the connection string sets them: statements prepared
    /// after their second use (the hot path runs the same few statements all the time), and pools small
    /// enough that our pool and the Orleans storage provider's together stay within PostgreSQL's default
    /// 100 connections per silo; and no session reset when a connection goes back to the pool (the silo
    /// sets nothing beyond a transaction, and unlocks the one advisory lock it takes).
    /// </summary>
    public static string Tune(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 50;
        if (!connectionString.Contains("Auto Prepare Min Usages", StringComparison.OrdinalIgnoreCase)) builder.AutoPrepareMinUsages = 2;
        if (!connectionString.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("Max Pool Size", StringComparison.OrdinalIgnoreCase)) builder.MaxPoolSize = 40;
        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }
}
