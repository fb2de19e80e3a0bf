using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Tracking.Emails;

/// <summary>An accepted email as the <c>emails</c> table keeps it.</summary>
public sealed record EmailRecord(
    Guid Id,
    Guid ProjectId,
    Guid? BroadcastId,
    DateTimeOffset CreatedAt,
    string From,
    string[] To,
    string[] Cc,
    string[] Bcc,
    string[] ReplyTo,
    string Subject,
    string? Html,
    string? Text,
    Dictionary<string, string> Headers,
    EmailTag[] Tags,
    EmailAttachment[] Attachments,
    TrackedFlags Tracking,
    List<string> Links,
    string MessageId,
    string Status,
    // SHA-256 of the request that made the email, when it had an Idempotency-Key (read back by RequestHash alone).
    byte[]? RequestHash = null);

/// <summary>The few columns of an email that say whose it is, what it tracks and where its links go.</summary>
public sealed record EmailTracking(Guid ProjectId, TrackedFlags Tracking, List<string> Links);

/// <summary>Where an email's delivery stands.</summary>
public sealed record DeliveryStatus(string Status, int Attempts, string? LastError, string? SmtpResponse, DateTimeOffset? SentAt);

public static class EmailStatuses
{
    public const string Stored = "stored", Queued = "queued", Sending = "sending", Sent = "sent", Failed = "failed";
}

/// <summary>The <c>emails</c> table: accepted emails and, for the delivery worker, the outbox.</summary>
public sealed class EmailStore
{
    readonly NpgsqlDataSource db;
    readonly CallBatches<Guid, EmailTracking?> trackingReads;

    public EmailStore(NpgsqlDataSource db)
    {
        this.db = db;
        trackingReads = new(FindTracking, maxBatch: 500);
    }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    const string Columns = """
        id, project_id, broadcast_id, created_at, from_address, to_addresses, cc, bcc, reply_to, subject, html, text,
        headers, tags, attachments, track_open, track_click, links, message_id, status
        """;

    /// <summary>Inserts one email and its <c>sent</c> event, committed on return.</summary>
    public async Task Insert(EmailRecord email)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Copy(connection, [email]);
        await transaction.CommitAsync();
    }

    /// <summary>The hash of the request that made the email (empty when it had no Idempotency-Key).</summary>
    public async Task<byte[]> RequestHash(Guid id)
    {
        await using var command = db.CreateCommand("SELECT request_hash FROM emails WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteScalarAsync() as byte[] ?? [];
    }

    /// <summary>A broadcast and all its recipients' emails, in one transaction.</summary>
    public async Task InsertBroadcast(Guid id, Guid projectId, DateTimeOffset createdAt, string from, string subject,
        EmailTag[] tags, IReadOnlyList<EmailRecord> emails)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(
            "INSERT INTO broadcasts (id, project_id, created_at, from_address, subject, tags) VALUES ($1, $2, $3, $4, $5, $6::jsonb)", connection))
        {
            foreach (var value in new object[] { id, projectId, createdAt.ToUniversalTime(), from, subject, JsonSerializer.Serialize(tags, Json) })
                command.Parameters.Add(new() { Value = value });
            await command.ExecuteNonQueryAsync();
        }
        await Copy(connection, emails);
        await transaction.CommitAsync();
    }

    /// <summary>The accepted emails' <c>sent</c> events (email.sent: the API took them), in the caller's transaction.</summary>
    static async Task RecordAccepted(NpgsqlConnection connection, IReadOnlyList<EmailRecord> emails)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO email_events (id, email_id, project_id, type, created_at)
            SELECT gen_random_uuid(), id, project_id, 'sent', created_at FROM emails WHERE id = ANY($1)
            """, connection);
        command.Parameters.Add(new() { Value = emails.Select(e => e.Id).ToArray() });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A broadcast of the project, with how many of its emails stand in each status.</summary>
    public async Task<BroadcastView?> FindBroadcast(Guid id, Guid projectId)
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

    static async Task Copy(NpgsqlConnection connection, IReadOnlyList<EmailRecord> emails)
    {
        if (emails.Count == 0) return;
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY emails ({Columns}, next_attempt_at, request_hash) FROM STDIN (FORMAT BINARY)");
        foreach (var e in emails)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(e.Id, NpgsqlDbType.Uuid);
            await writer.WriteAsync(e.ProjectId, NpgsqlDbType.Uuid);
            if (e.BroadcastId is { } b) await writer.WriteAsync(b, NpgsqlDbType.Uuid); else await writer.WriteNullAsync();
            await writer.WriteAsync(e.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(e.From, NpgsqlDbType.Text);
            await writer.WriteAsync(e.To, NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.Cc, NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.Bcc, NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.ReplyTo, NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.Subject, NpgsqlDbType.Text);
            await WriteText(writer, e.Html);
            await WriteText(writer, e.Text);
            await writer.WriteAsync(JsonSerializer.Serialize(e.Headers, Json), NpgsqlDbType.Jsonb);
            await writer.WriteAsync(JsonSerializer.Serialize(e.Tags, Json), NpgsqlDbType.Jsonb);
            await writer.WriteAsync(JsonSerializer.Serialize(e.Attachments, Json), NpgsqlDbType.Jsonb);
            await writer.WriteAsync(e.Tracking.Open, NpgsqlDbType.Boolean);
            await writer.WriteAsync(e.Tracking.Click, NpgsqlDbType.Boolean);
            await writer.WriteAsync(e.Links.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.MessageId, NpgsqlDbType.Text);
            await writer.WriteAsync(e.Status, NpgsqlDbType.Text);
            if (e.Status == EmailStatuses.Queued) await writer.WriteAsync(e.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            else await writer.WriteNullAsync();
            if (e.RequestHash is { } hash) await writer.WriteAsync(hash, NpgsqlDbType.Bytea);
            else await writer.WriteNullAsync();
        }
        await writer.CompleteAsync();
        await writer.DisposeAsync();
        await RecordAccepted(connection, emails);

        static Task WriteText(NpgsqlBinaryImporter w, string? value) =>
            value is null ? w.WriteNullAsync() : w.WriteAsync(value, NpgsqlDbType.Text);
    }

    /// <summary>An email with where its delivery stands, in one read.</summary>
    public async Task<(EmailRecord Email, DeliveryStatus Delivery)?> Find(Guid id)
    {
        await using var command = db.CreateCommand(
            $"SELECT {Columns}, attempts, last_error, smtp_response, sent_at FROM emails WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        var email = Read(reader);
        return (email, new DeliveryStatus(email.Status, reader.GetInt32(20), TextOrNull(reader, 21), TextOrNull(reader, 22),
            reader.IsDBNull(23) ? null : reader.GetFieldValue<DateTimeOffset>(23)));
    }

    /// <summary>
    /// An email's few tracking columns (not the content). Every email grain activation asks this, so
    /// concurrent asks share one statement.
    /// </summary>
    public Task<EmailTracking?> FindTracking(Guid id) => trackingReads.Run(id);

    async Task<IReadOnlyList<EmailTracking?>> FindTracking(IReadOnlyList<Guid> ids)
    {
        await using var command = db.CreateCommand(TrackingQuery);
        command.Parameters.Add(new() { Value = ids.ToArray() });
        var found = new Dictionary<Guid, EmailTracking>(ids.Count);
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                found[reader.GetGuid(0)] = ReadTracking(reader);
        return ids.Select(id => found.GetValueOrDefault(id)).ToArray();
    }

    /// <summary>The tracking columns of the emails with the ids in <c>$1</c>; each row is read by <see cref="ReadTracking"/>.</summary>
    public const string TrackingQuery = "SELECT id, project_id, track_open, track_click, links FROM emails WHERE id = ANY($1)";

    /// <summary>A row of <see cref="TrackingQuery"/>; its email id is column 0.</summary>
    public static EmailTracking ReadTracking(NpgsqlDataReader reader) =>
        new(reader.GetGuid(1), new TrackedFlags(reader.GetBoolean(2), reader.GetBoolean(3)), [.. reader.GetFieldValue<string[]>(4)]);

    /// <summary>A project's emails, newest first; one more than asked tells whether there are more.</summary>
    public async Task<EmailPage> List(Guid projectId, int limit, int offset)
    {
        await using var command = db.CreateCommand("""
            SELECT id, from_address, to_addresses, subject, status, created_at, broadcast_id FROM emails
            WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = limit + 1 });
        command.Parameters.Add(new() { Value = offset });
        var rows = new List<EmailSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new EmailSummary(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetString(3),
                reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetGuid(6)));
        return new EmailPage(rows.Take(limit).ToArray(), limit, offset, rows.Count > limit);
    }

    internal static EmailRecord Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetGuid(1), r.IsDBNull(2) ? null : r.GetGuid(2), r.GetFieldValue<DateTimeOffset>(3),
        r.GetString(4), r.GetFieldValue<string[]>(5), r.GetFieldValue<string[]>(6), r.GetFieldValue<string[]>(7),
        r.GetFieldValue<string[]>(8), r.GetString(9), TextOrNull(r, 10), TextOrNull(r, 11),
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(12), Json)!,
        JsonSerializer.Deserialize<EmailTag[]>(r.GetString(13), Json)!,
        JsonSerializer.Deserialize<EmailAttachment[]>(r.GetString(14), Json)!,
        new TrackedFlags(r.GetBoolean(15), r.GetBoolean(16)),
        [.. r.GetFieldValue<string[]>(17)], r.GetString(18), r.GetString(19));

    internal static string? TextOrNull(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    internal const string SelectColumns = Columns;
}
