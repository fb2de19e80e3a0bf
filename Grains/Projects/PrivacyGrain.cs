using Npgsql;
using Orleans.Concurrency;
using Tracking.Contracts;
using Tracking.Grains.Events;

namespace Tracking.Grains.Projects;

/// <summary>A project's privacy settings, kept in <c>projects</c> where the event log's insert reads them. Reentrant: a statement each.</summary>
[Reentrant]
public sealed class PrivacyGrain(NpgsqlDataSource db, IpAddressPolicy ipPolicy, ProjectPrivacy cached) : Grain, IPrivacyGrain
{
    Guid ProjectId => this.GetPrimaryKey();
    const string Columns = "ip_storage, keep_user_agent, keep_referer, retention_days, content_retention_days";
    public const int MaxRetentionDays = 3650;

    public async Task<PrivacySettings> Get()
    {
        await using var command = db.CreateCommand($"SELECT {Columns} FROM projects WHERE id = $1");
        command.Parameters.Add(new() { Value = ProjectId });
        return await Read(command);
    }

    public async Task<Outcome<PrivacySettings>> Update(PrivacyDraft draft)
    {
        var errors = new Dictionary<string, string[]>();
        if (draft.IpStorage is { } storage && !IpStorage.All.Contains(storage)) errors["ip_storage"] = [$"must be one of {string.Join(", ", IpStorage.All)}"];
        if (draft.RetentionDays is < 1 or > MaxRetentionDays) errors["retention_days"] = [$"must be 1 to {MaxRetentionDays}"];
        if (draft.ContentRetentionDays is < 1 or > MaxRetentionDays) errors["content_retention_days"] = [$"must be 1 to {MaxRetentionDays}"];
        if (errors.Count > 0) return new Invalid<PrivacySettings>(errors);
        await using var command = db.CreateCommand($"""
            UPDATE projects SET ip_storage = coalesce($2, ip_storage), keep_user_agent = coalesce($3, keep_user_agent),
                                keep_referer = coalesce($4, keep_referer), retention_days = coalesce($5, retention_days),
                                content_retention_days = coalesce($6, content_retention_days)
            WHERE id = $1 RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = ProjectId });
        command.Parameters.Add(new() { Value = (object?)draft.IpStorage ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)draft.KeepUserAgent ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
        command.Parameters.Add(new() { Value = (object?)draft.KeepReferer ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
        command.Parameters.Add(new() { Value = (object?)draft.RetentionDays ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        command.Parameters.Add(new() { Value = (object?)draft.ContentRetentionDays ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        var settings = await Read(command);
        cached.Changed(ProjectId);
        return new Done<PrivacySettings>(settings);
    }

    async Task<PrivacySettings> Read(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        // A project that has not chosen keeps the operator's default.
        return new PrivacySettings(reader.IsDBNull(0) ? ipPolicy.Default : reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2),
            reader.GetInt32(3), reader.GetInt32(4));
    }
}
