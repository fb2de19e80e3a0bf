using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Projects;

/// <summary>
/// The <c>api_keys</c> table. A key is shown once, when made, and kept only as a SHA-256 with its first
/// characters (to tell keys apart); a revoked key stays, refused.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource db)
{
    const int PrefixLength = 7;

    public static string NewKey() => ApiKeyFormat.Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))
        .Replace('+', '-').Replace('/', '_');

    // Keys are 192 random bits, so a fast hash is enough: there is nothing to brute-force.
    public static byte[] Hash(string apiKey) => SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public async Task<ApiKeyCreated> Create(Guid projectId, string name, string permission, string? key = null)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await Insert(connection, projectId, name, permission, key);
    }

    /// <summary>Makes a key in the caller's connection (and transaction, if any).</summary>
    public static async Task<ApiKeyCreated> Insert(NpgsqlConnection connection, Guid projectId, string name, string permission, string? key = null)
    {
        key ??= NewKey();
        if (!ApiKeyFormat.IsWellFormed(key))
            throw new ArgumentException($"An API key is '{ApiKeyFormat.Prefix}' and {ApiKeyFormat.MinLength}-{ApiKeyFormat.MaxLength} letters, digits, '-' or '_' in all.", nameof(key));
        await using var command = new NpgsqlCommand("""
            INSERT INTO api_keys (id, key_hash, project_id, key_hint, name, permission) VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING created_at
            """, connection);
        var id = Guid.CreateVersion7();
        foreach (var value in new object[] { id, Hash(key), projectId, key[..PrefixLength], name, permission })
            command.Parameters.Add(new() { Value = value });
        var createdAt = (DateTime)(await command.ExecuteScalarAsync())!;
        return new ApiKeyCreated(id, name, permission, key[..PrefixLength], new DateTimeOffset(createdAt, TimeSpan.Zero), key);
    }

    /// <summary>A project's keys in use, newest first.</summary>
    public async Task<ApiKeyView[]> List(Guid projectId)
    {
        await using var command = db.CreateCommand("""
            SELECT id, name, permission, key_hint, created_at, last_used_at FROM api_keys
            WHERE project_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC
            """);
        command.Parameters.Add(new() { Value = projectId });
        var keys = new List<ApiKeyView>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            keys.Add(new ApiKeyView(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        return [.. keys];
    }

    public async Task<bool> Revoke(Guid projectId, Guid keyId)
    {
        await using var command = db.CreateCommand(
            "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND project_id = $2 AND revoked_at IS NULL");
        command.Parameters.Add(new() { Value = keyId });
        command.Parameters.Add(new() { Value = projectId });
        return await command.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>What the key with this <see cref="Hash"/> grants, and when it was last used; null when it is unknown or revoked.</summary>
    public async Task<(ApiKeyGrant Grant, DateTimeOffset? LastUsedAt)?> Find(byte[] keyHash)
    {
        await using var command = db.CreateCommand(
            "SELECT project_id, id, permission, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL");
        command.Parameters.Add(new() { Value = keyHash });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return (new ApiKeyGrant(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2)),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
    }

    /// <summary>Records that the key was used now.</summary>
    public async Task Touch(Guid keyId)
    {
        await using var command = db.CreateCommand("UPDATE api_keys SET last_used_at = now() WHERE id = $1");
        command.Parameters.Add(new() { Value = keyId });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<bool> Any()
    {
        await using var command = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM api_keys)");
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
