using System.Net.Mail;
using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Projects;

/// <summary>The <c>tracking_opt_outs</c> table: a project's recipients who are not tracked.</summary>
public sealed class OptOutStore(NpgsqlDataSource db)
{
    /// <summary>An address as the table keeps it: bare ("Bob &lt;Bob@Example.com&gt;" is bob@example.com).</summary>
    public static string? Bare(string? address) =>
        MailAddress.TryCreate(address?.Trim(), out var parsed) && parsed.Host.Contains('.') ? parsed.Address.ToLowerInvariant() : null;

    public async Task<OptOutView> Add(Guid projectId, string address)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO tracking_opt_outs (project_id, address) VALUES ($1, $2)
            ON CONFLICT (project_id, address) DO UPDATE SET address = excluded.address
            RETURNING address, created_at
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = address });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new OptOutView(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1));
    }

    public async Task<OptOutPage> List(Guid projectId, int limit, int offset)
    {
        await using var command = db.CreateCommand("""
            SELECT address, created_at FROM tracking_opt_outs WHERE project_id = $1
            ORDER BY created_at DESC, address LIMIT $2 OFFSET $3
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = limit + 1 });
        command.Parameters.Add(new() { Value = offset });
        var rows = new List<OptOutView>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(new OptOutView(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));
        return new OptOutPage([.. rows.Take(limit)], limit, offset, rows.Count > limit);
    }

    public async Task<bool> Remove(Guid projectId, string address)
    {
        await using var command = db.CreateCommand("DELETE FROM tracking_opt_outs WHERE project_id = $1 AND address = $2");
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = address });
        return await command.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>Which of the addresses (as given) are opted out.</summary>
    public async Task<HashSet<string>> OptedOut(Guid projectId, IEnumerable<string> addresses)
    {
        var bare = addresses.Select(a => (Given: a, Bare: Bare(a))).Where(a => a.Bare is not null).ToList();
        if (bare.Count == 0) return [];
        await using var command = db.CreateCommand("SELECT address FROM tracking_opt_outs WHERE project_id = $1 AND address = ANY($2)");
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = bare.Select(a => a.Bare!).Distinct().ToArray() });
        var found = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) found.Add(reader.GetString(0));
        return [.. bare.Where(a => found.Contains(a.Bare!)).Select(a => a.Given)];
    }
}
