using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Tracking.Silo;

/// <summary>
/// Applies the numbered SQL files in Schema/ that the database has not seen, each in its own transaction,
/// under an advisory lock so that silos starting together do not race. What else a silo sets up in the
/// database at start-up (the first project) runs under the same lock, after the migrations.
/// </summary>
public static class SchemaMigrations
{
    const long LockId = 0x7472_6163_6b69_6e67; // "tracking"

    public static async Task Apply(NpgsqlDataSource db, ILogger log, Func<Task>? thenUnderLock = null, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await Execute(connection, "SELECT pg_advisory_lock($1)", LockId);
        try
        {
            await Execute(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """);
            var applied = new HashSet<string>();
            await using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));

            foreach (var (version, sql) in Scripts())
            {
                if (applied.Contains(version)) continue;
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await Execute(connection, sql);
                await Execute(connection, "INSERT INTO schema_migrations (version) VALUES ($1)", version);
                await transaction.CommitAsync(ct);
                log.MigrationApplied(version);
            }
            if (thenUnderLock is not null) await thenUnderLock();
        }
        finally
        {
            await Execute(connection, "SELECT pg_advisory_unlock($1)", LockId);
        }
    }

    static IEnumerable<(string Version, string Sql)> Scripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Schema.")).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return (Path.GetFileNameWithoutExtension(name["Schema.".Length..]), reader.ReadToEnd());
        }
    }

    static async Task Execute(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }
}
