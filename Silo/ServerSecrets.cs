using System.Security.Cryptography;
using Npgsql;

namespace Tracking.Silo;

/// <summary>
/// The click signing key: from configuration when given, else made once and kept in the database so that
/// every silo signs alike and links keep working across restarts.
/// </summary>
public static class ServerSecrets
{
    public static async Task<byte[]> SigningKey(NpgsqlDataSource db, string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var key = Convert.FromBase64String(configured);
            if (key.Length < 32) throw new InvalidOperationException("Tracking:SigningKey must be at least 32 bytes, base64-encoded.");
            return key;
        }
        await using var command = db.CreateCommand("""
            WITH made AS (
                INSERT INTO server_secrets (name, value) VALUES ('click_signing_key', $1)
                ON CONFLICT (name) DO NOTHING RETURNING value)
            SELECT value FROM made
            UNION ALL SELECT value FROM server_secrets WHERE name = 'click_signing_key'
            LIMIT 1
            """);
        command.Parameters.Add(new() { Value = RandomNumberGenerator.GetBytes(32) });
        return (byte[])(await command.ExecuteScalarAsync())!;
    }
}
