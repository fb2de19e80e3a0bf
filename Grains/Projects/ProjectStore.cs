using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Projects;

/// <summary>A project and the first API key made for it; the key is shown once and stored only as a hash.</summary>
public sealed record NewProject(Guid ProjectId, string ApiKey);

/// <summary>A project as an operator lists it.</summary>
public sealed record ProjectSummary(Guid Id, string Name, DateTimeOffset CreatedAt, int Keys);

/// <summary>The <c>projects</c> table.</summary>
public sealed class ProjectStore(NpgsqlDataSource db)
{
    /// <summary>Makes a project and its first key, with full access, together.</summary>
    public async Task<NewProject> Create(string name, string? apiKey = null)
    {
        var projectId = Guid.CreateVersion7();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO projects (id, name) VALUES ($1, $2)", connection))
        {
            insert.Parameters.Add(new() { Value = projectId });
            insert.Parameters.Add(new() { Value = name });
            await insert.ExecuteNonQueryAsync();
        }
        var key = await ApiKeyStore.Insert(connection, projectId, name, ApiKeyPermissions.FullAccess, apiKey);
        await transaction.CommitAsync();
        return new NewProject(projectId, key.Key);
    }

    /// <summary>Every project, oldest first, with how many keys it has in use.</summary>
    public async Task<List<ProjectSummary>> List()
    {
        await using var command = db.CreateCommand("""
            SELECT p.id, p.name, p.created_at, count(k.id) FILTER (WHERE k.revoked_at IS NULL)
            FROM projects p LEFT JOIN api_keys k ON k.project_id = p.id
            GROUP BY p.id ORDER BY p.created_at, p.id
            """);
        var projects = new List<ProjectSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            projects.Add(new ProjectSummary(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), (int)reader.GetInt64(3)));
        return projects;
    }
}
