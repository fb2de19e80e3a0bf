using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tracking.Grains.Links;
using Tracking.Grains;

namespace Tracking.Silo;

/// <summary>
/// The secrets a silo keeps in the database, sealed with the secrets key: click-signing keys (unless
/// configured) and webhook secrets. Values written in clear by an earlier version are sealed at start-up.
/// </summary>
public sealed class ServerSecrets(NpgsqlDataSource db, SecretBox box)
{
    public SecretBox Box => box;

    const int SigningKeyBytes = 32;

    /// <summary>The secrets key from configuration: base64 of 32 bytes.</summary>
    public static SecretBox BoxFrom(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
            throw new InvalidOperationException("TRACKING_SECRETS_KEY is not set: it seals the secrets kept in the database. " +
                "Set it to base64 of 32 random bytes (for example the output of 'openssl rand -base64 32'); ./run.sh makes one under .data/.");
        var key = new byte[SecretBox.KeyBytes];
        if (!Convert.TryFromBase64String(configured.Trim(), key, out var written) || written != SecretBox.KeyBytes)
            throw new InvalidOperationException("TRACKING_SECRETS_KEY must be base64 of exactly 32 bytes.");
        return new SecretBox(key);
    }

    /// <summary>Configured signing keys: comma-separated base64, each at least 32 bytes; the first signs.</summary>
    public static byte[][]? ConfiguredSigningKeys(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured)) return null;
        var keys = configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Convert.FromBase64String).ToArray();
        if (keys.Length == 0 || keys.Any(k => k.Length < SigningKeyBytes))
            throw new InvalidOperationException("TRACKING_SIGNING_KEY must be base64 keys of at least 32 bytes each, comma-separated, the signing one first.");
        return keys;
    }

    /// <summary>
    /// Run under the start-up lock: the first signing key (the one an earlier version kept in clear, or a new
    /// one), and every webhook secret still in clear sealed.
    /// </summary>
    public async Task Prepare()
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!await Exists(connection, "SELECT EXISTS (SELECT 1 FROM signing_keys)"))
        {
            byte[]? legacy = null;
            await using (var read = new NpgsqlCommand("SELECT value FROM server_secrets WHERE name = 'click_signing_key'", connection))
                legacy = await read.ExecuteScalarAsync() as byte[];
            await AddSigningKey(connection, legacy ?? RandomNumberGenerator.GetBytes(SigningKeyBytes));
            await using var forget = new NpgsqlCommand("DELETE FROM server_secrets WHERE name = 'click_signing_key'", connection);
            await forget.ExecuteNonQueryAsync();
        }

        // Written in clear by an earlier version: 32 raw bytes, where a sealed secret is longer.
        var clear = new List<(Guid Id, byte[] Secret, byte[]? Previous)>();
        await using (var read = new NpgsqlCommand($"""
            SELECT id, secret, previous_secret FROM webhooks
            WHERE length(secret) = {SigningKeyBytes} OR length(previous_secret) = {SigningKeyBytes}
            """, connection))
        await using (var reader = await read.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                clear.Add((reader.GetGuid(0), reader.GetFieldValue<byte[]>(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2)));
        foreach (var (id, secret, previous) in clear)
        {
            await using var seal = new NpgsqlCommand("UPDATE webhooks SET secret = $2, previous_secret = $3 WHERE id = $1", connection);
            seal.Parameters.Add(new() { Value = id });
            seal.Parameters.Add(new() { Value = secret.Length == SigningKeyBytes ? box.Seal(secret, SecretBox.WebhookContext(id)) : secret });
            seal.Parameters.Add(new()
            {
                Value = previous is { Length: SigningKeyBytes } ? box.Seal(previous, SecretBox.WebhookContext(id)) : (object?)previous ?? DBNull.Value,
                NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea,
            });
            await seal.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    /// <summary>A new signing key: links made from now on (once silos have it) are signed with it.</summary>
    public async Task RotateSigningKey()
    {
        await using var connection = await db.OpenConnectionAsync();
        await AddSigningKey(connection, RandomNumberGenerator.GetBytes(SigningKeyBytes));
    }

    /// <summary>The signing keys, newest (the one that signs) first.</summary>
    public async Task<byte[][]> SigningKeys()
    {
        await using var command = db.CreateCommand("SELECT id, sealed_key FROM signing_keys ORDER BY id DESC");
        var keys = new List<byte[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) keys.Add(box.Open(reader.GetFieldValue<byte[]>(1), SecretBox.SigningKeyContext(reader.GetInt64(0))));
        return keys.ToArray();
    }

    async Task AddSigningKey(NpgsqlConnection connection, byte[] key)
    {
        // The id is part of what the seal is bound to, so it is taken first.
        await using var next = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('signing_keys', 'id'))", connection);
        var id = (long)(await next.ExecuteScalarAsync())!;
        await using var insert = new NpgsqlCommand("INSERT INTO signing_keys (id, sealed_key) OVERRIDING SYSTEM VALUE VALUES ($1, $2)", connection);
        insert.Parameters.Add(new() { Value = id });
        insert.Parameters.Add(new() { Value = box.Seal(key, SecretBox.SigningKeyContext(id)) });
        await insert.ExecuteNonQueryAsync();
    }

    static async Task<bool> Exists(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// Picks up signing keys added by a rotation (on any silo, or by the command) within a minute, so that every
/// silo can check the links any other signs.
/// </summary>
public sealed class SigningKeyRefresh(ServerSecrets secrets, TrackingSignature signature, TimeSpan every,
    ILogger<SigningKeyRefresh> log) : BackgroundService
{

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(every, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (stoppingToken.IsCancellationRequested) break;
            try
            {
                var keys = await secrets.SigningKeys();
                // Keys are only ever added, so a new count means a new key.
                if (keys.Length == signature.KeyCount) continue;
                signature.Use(keys);
                log.SigningKeyAdded(keys.Length);
            }
            catch (Exception ex)
            {
                log.SigningKeysNotRead(ex);
            }
        }
    }
}
