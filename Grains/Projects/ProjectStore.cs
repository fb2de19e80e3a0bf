using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Projects;

/// <summary>A project and the one API key made for it; the key is shown once and stored only as a hash.</summary>
public sealed record NewProject(Guid ProjectId, string ApiKey);

/// <summary>Projects and their API keys (<c>projects</c>, <c>api_keys</c>).</summary>
public sealed class ProjectStore(NpgsqlDataSource db)
{
    public static string NewApiKey() => ApiKeyFormat.Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))
        .Replace('+', '-').Replace('/', '_');

    // Keys are 192 random bits, so a fast hash is enough: there is nothing to brute-force.
    public static byte[] Hash(string apiKey) => SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public async Task<NewProject> Create(string name, string? apiKey = null)
    {
        apiKey ??= NewApiKey();
        if (!ApiKeyFormat.IsWellFormed(apiKey))
            throw new ArgumentException($"An API key is '{ApiKeyFormat.Prefix}' and {ApiKeyFormat.MinLength}-{ApiKeyFormat.MaxLength} letters, digits, '-' or '_' in all.", nameof(apiKey));
        var projectId = Guid.CreateVersion7();
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new("INSERT INTO projects (id, name) VALUES ($1, $2)")
            { Parameters = { new() { Value = projectId }, new() { Value = name } } });
        batch.BatchCommands.Add(new("INSERT INTO api_keys (key_hash, project_id, key_hint) VALUES ($1, $2, $3)")
            { Parameters = { new() { Value = Hash(apiKey) }, new() { Value = projectId }, new() { Value = apiKey[..Math.Min(7, apiKey.Length)] } } });
        await batch.ExecuteNonQueryAsync();
        return new NewProject(projectId, apiKey);
    }

    /// <summary>The project of the key with this <see cref="Hash"/>, unless the key is revoked.</summary>
    public async Task<Guid?> FindProject(byte[] keyHash)
    {
        await using var command = db.CreateCommand("SELECT project_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL");
        command.Parameters.Add(new() { Value = keyHash });
        return await command.ExecuteScalarAsync() is Guid id ? id : null;
    }

    public async Task<bool> AnyApiKey()
    {
        await using var command = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM api_keys)");
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
