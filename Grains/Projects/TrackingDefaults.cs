using Npgsql;
using Orleans.Concurrency;
using Tracking.Contracts;

namespace Tracking.Grains.Projects;

/// <summary>A project's tracking defaults in <c>projects</c>: what a request gets when its <c>tracking</c> does not say.</summary>
public sealed class TrackingDefaults(NpgsqlDataSource db)
{
    const string Columns = "track_open, track_click, track_text, track_trap_link";

    public async Task<TrackedFlags> Of(Guid projectId)
    {
        await using var command = db.CreateCommand($"SELECT {Columns} FROM projects WHERE id = $1");
        command.Parameters.Add(new() { Value = projectId });
        return await Read(command);
    }

    public async Task<TrackedFlags> Update(Guid projectId, TrackingSettings changes)
    {
        await using var command = db.CreateCommand($"""
            UPDATE projects SET track_open = coalesce($2, track_open), track_click = coalesce($3, track_click),
                                track_text = coalesce($4, track_text), track_trap_link = coalesce($5, track_trap_link)
            WHERE id = $1 RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = projectId });
        foreach (var value in new[] { changes.Open, changes.Click, changes.ClickText, changes.TrapLink })
            command.Parameters.Add(new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
        return await Read(command);
    }

    /// <summary>What a request gets: what it says, else the project's default.</summary>
    public async Task<TrackedFlags> For(Guid projectId, TrackingSettings? asked)
    {
        var defaults = await Of(projectId);
        return new(asked?.Open ?? defaults.Open, asked?.Click ?? defaults.Click, asked?.ClickText ?? defaults.ClickText,
            asked?.TrapLink ?? defaults.TrapLink);
    }

    static async Task<TrackedFlags> Read(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new(reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3));
    }
}

/// <summary>A project's tracking defaults, through the API. Reentrant: a statement each.</summary>
[Reentrant]
public sealed class TrackingDefaultsGrain(TrackingDefaults defaults) : Grain, ITrackingDefaultsGrain
{
    public Task<TrackedFlags> Get() => defaults.Of(this.GetPrimaryKey());

    public Task<TrackedFlags> Update(TrackingSettings changes) => defaults.Update(this.GetPrimaryKey(), changes);
}
