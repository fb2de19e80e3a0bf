using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Tracking.Grains.Emails;
using Tracking.Contracts;

namespace Tracking.Grains.Broadcasts;

/// <summary>A broadcast as <c>broadcasts</c> keeps it: its content once, as a template its recipients' copies are rendered from.</summary>
public sealed record BroadcastRecord
{
    public required Guid Id { get; init; }
    public required Guid ProjectId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string From { get; init; }
    public required string Subject { get; init; }
    public EmailTag[] Tags { get; init; } = [];
    public Dictionary<string, string> Headers { get; init; } = [];
    public string[] ReplyTo { get; init; } = [];
    public required BroadcastTemplate Content { get; init; }
}

/// <summary>The <c>broadcasts</c> table.</summary>
public sealed class BroadcastStore(NpgsqlDataSource db)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A broadcast and its recipients' emails (rows without content of their own), in one transaction.</summary>
    public async Task Insert(BroadcastRecord broadcast, IReadOnlyList<EmailRecord> emails)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("""
            INSERT INTO broadcasts (id, project_id, created_at, from_address, subject, tags, headers, reply_to, html, text, links, placeholder)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12)
            """, connection))
        {
            var b = broadcast;
            foreach (var value in new object[] { b.Id, b.ProjectId, b.CreatedAt.ToUniversalTime(), b.From, b.Subject,
                         JsonSerializer.Serialize(b.Tags, Json), JsonSerializer.Serialize(b.Headers, Json), b.ReplyTo })
                command.Parameters.Add(new() { Value = value });
            command.Parameters.Add(new() { Value = (object?)b.Content.Html ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new() { Value = (object?)b.Content.Text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new() { Value = b.Content.Links.ToArray() });
            command.Parameters.Add(new() { Value = b.Content.Placeholder });
            await command.ExecuteNonQueryAsync();
        }
        await EmailStore.Copy(connection, emails);
        await transaction.CommitAsync();
    }

    /// <summary>A broadcast of the project, with how many of its emails stand in each status.</summary>
    public async Task<BroadcastView?> Find(Guid id, Guid projectId)
    {
        await using var command = db.CreateCommand("""
            SELECT b.from_address, b.subject, b.created_at, e.status, count(e.id)
            FROM broadcasts b LEFT JOIN emails e ON e.broadcast_id = b.id
            WHERE b.id = $1 AND b.project_id = $2
            GROUP BY b.from_address, b.subject, b.created_at, e.status
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = projectId });
        BroadcastView? view = null;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            view ??= new BroadcastView(id, reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), 0, []);
            if (reader.IsDBNull(3)) continue;
            var count = (int)reader.GetInt64(4);
            view.Statuses[reader.GetString(3)] = count;
            view = view with { Recipients = view.Recipients + count };
        }
        return view;
    }
}
