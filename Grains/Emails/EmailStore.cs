using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Tracking.Grains.Links;
using Tracking.Grains.Projects;
using Tracking.Contracts;
using Tracking.Grains.Events;

namespace Tracking.Grains.Emails;

/// <summary>
/// An accepted email as the <c>emails</c> table keeps it. A broadcast recipient's row has no content of its
/// own (it is its broadcast's, see <see cref="Broadcasts.BroadcastStore"/>), only its <see cref="Tid"/>;
/// read back, its content is rendered for it.
/// </summary>
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
    byte[]? RequestHash = null,
    string? Tid = null);

/// <summary>The few columns of an email that say whose it is, what it tracks and where its links go.</summary>
public sealed record EmailTracking(Guid ProjectId, TrackedFlags Tracking, List<string> Links);

/// <summary>Where an email's delivery stands.</summary>
public sealed record DeliveryStatus(string Status, int Attempts, string? LastError, string? SmtpResponse, DateTimeOffset? SentAt);

/// <summary>
/// The <c>emails</c> table: accepted emails and, for the delivery worker, the outbox. Emails are read
/// through the <c>email_contents</c> view, which gives a broadcast recipient its broadcast's content.
/// </summary>
public sealed class EmailStore
{
    readonly NpgsqlDataSource db;
    readonly TrackingLinks links;
    readonly CallBatches<Guid, EmailTracking?> trackingReads;

    public EmailStore(NpgsqlDataSource db, TrackingLinks links)
    {
        this.db = db;
        this.links = links;
        trackingReads = new(FindTracking, maxBatch: 500);
    }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What <see cref="Read"/> reads from <c>email_contents</c>; without attachments, their content is not loaded.</summary>
    public static string ContentColumns(bool attachments = true) => $"""
        id, project_id, broadcast_id, created_at, from_address, to_addresses, cc, bcc, reply_to, subject, html, text,
        headers, tags, {(attachments ? "attachments" : "'[]'::jsonb")}, track_open, track_click, links, message_id, status, tid, placeholder
        """;

    /// <summary>Inserts emails and their <c>sent</c> events in one transaction, committed on return.</summary>
    public async Task Insert(params IReadOnlyList<EmailRecord> emails)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Copy(connection, emails);
        await transaction.CommitAsync();
    }

    /// <summary>The hash of the request that made the email (empty when it had no Idempotency-Key).</summary>
    public async Task<byte[]> RequestHash(Guid id)
    {
        await using var command = db.CreateCommand("SELECT request_hash FROM emails WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteScalarAsync() as byte[] ?? [];
    }

    /// <summary>Writes emails and their <c>sent</c> events (email.sent: the API took them), in the caller's transaction.</summary>
    internal static async Task Copy(NpgsqlConnection connection, IReadOnlyList<EmailRecord> emails)
    {
        if (emails.Count == 0) return;
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY emails (id, project_id, broadcast_id, created_at, from_address, to_addresses, cc, bcc, reply_to, subject, html, text,
                         headers, tags, attachments, attachment_info, track_open, track_click, links, message_id, status,
                         next_attempt_at, request_hash, tid)
            FROM STDIN (FORMAT BINARY)
            """);
        foreach (var e in emails)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(e.Id, NpgsqlDbType.Uuid);
            await writer.WriteAsync(e.ProjectId, NpgsqlDbType.Uuid);
            await WriteOrNull(writer, e.BroadcastId, NpgsqlDbType.Uuid);
            await writer.WriteAsync(e.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(e.From, NpgsqlDbType.Text);
            await writer.WriteAsync(e.To, NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.Cc, NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.Bcc, NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.ReplyTo, NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.Subject, NpgsqlDbType.Text);
            await WriteOrNull(writer, e.Html, NpgsqlDbType.Text);
            await WriteOrNull(writer, e.Text, NpgsqlDbType.Text);
            await writer.WriteAsync(JsonSerializer.Serialize(e.Headers, Json), NpgsqlDbType.Jsonb);
            await writer.WriteAsync(JsonSerializer.Serialize(e.Tags, Json), NpgsqlDbType.Jsonb);
            await writer.WriteAsync(JsonSerializer.Serialize(e.Attachments, Json), NpgsqlDbType.Jsonb);
            await writer.WriteAsync(JsonSerializer.Serialize(e.Attachments.Select(Describe), Json), NpgsqlDbType.Jsonb);
            await writer.WriteAsync(e.Tracking.Open, NpgsqlDbType.Boolean);
            await writer.WriteAsync(e.Tracking.Click, NpgsqlDbType.Boolean);
            await writer.WriteAsync(e.Links.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            await writer.WriteAsync(e.MessageId, NpgsqlDbType.Text);
            await writer.WriteAsync(e.Status, NpgsqlDbType.Text);
            await WriteOrNull(writer, e.Status == EmailStatuses.Queued ? e.CreatedAt.ToUniversalTime() : (DateTimeOffset?)null, NpgsqlDbType.TimestampTz);
            await WriteOrNull(writer, e.RequestHash, NpgsqlDbType.Bytea);
            await WriteOrNull(writer, e.Tid, NpgsqlDbType.Text);
        }
        await writer.CompleteAsync();
        await writer.DisposeAsync();

        await EventLog.AppendSent(connection, emails.Select(e => e.Id).ToArray());

        static Task WriteOrNull<T>(NpgsqlBinaryImporter w, T? value, NpgsqlDbType type) =>
            value is null ? w.WriteNullAsync() : w.WriteAsync(value, type);
    }

    static AttachmentInfo Describe(EmailAttachment a) => new(a.Filename!, a.ContentType ?? "application/octet-stream",
        (int)(a.Content!.Length * 3L / 4 - a.Content.AsSpan()[^Math.Min(2, a.Content.Length)..].Count('=')));

    /// <summary>An email with where its delivery stands and what its attachments are, in one read that leaves their content.</summary>
    public async Task<(EmailRecord Email, DeliveryStatus Delivery, AttachmentInfo[] Attachments)?> Find(Guid id)
    {
        await using var command = db.CreateCommand(
            $"SELECT {ContentColumns(attachments: false)}, attempts, last_error, smtp_response, sent_at, attachment_info FROM email_contents WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        var email = Read(reader);
        return (email, new DeliveryStatus(email.Status, reader.GetInt32(22), TextOrNull(reader, 23), TextOrNull(reader, 24),
            reader.IsDBNull(25) ? null : reader.GetFieldValue<DateTimeOffset>(25)),
            JsonSerializer.Deserialize<AttachmentInfo[]>(reader.GetString(26), Json)!);
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

    /// <summary>
    /// A project's emails, newest first, after <paramref name="after"/> (the last row of the page before)
    /// or at an offset; one more than asked tells whether there are more.
    /// </summary>
    public async Task<EmailPage> List(Guid projectId, int limit, int offset, (DateTimeOffset CreatedAt, Guid Id)? after)
    {
        await using var command = db.CreateCommand("""
            SELECT id, from_address, to_addresses, subject, status, created_at, broadcast_id FROM emails
            WHERE project_id = $1 AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))
            ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = limit + 1 });
        command.Parameters.Add(new() { Value = offset });
        command.Parameters.Add(new() { Value = (object?)after?.CreatedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)after?.Id ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        var rows = new List<EmailSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new EmailSummary(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetString(3),
                reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetGuid(6)));
        var hasMore = rows.Count > limit;
        var page = rows.Take(limit).ToArray();
        return new EmailPage(page, limit, offset, hasMore, hasMore ? PageCursor.Of(page[^1].CreatedAt, page[^1].Id) : null);
    }

    /// <summary>A row of <see cref="ContentColumns"/>, a broadcast recipient's copy rendered from its template.</summary>
    public EmailRecord Read(NpgsqlDataReader r)
    {
        var email = new EmailRecord(
            r.GetGuid(0), r.GetGuid(1), r.IsDBNull(2) ? null : r.GetGuid(2), r.GetFieldValue<DateTimeOffset>(3),
            r.GetString(4), r.GetFieldValue<string[]>(5), r.GetFieldValue<string[]>(6), r.GetFieldValue<string[]>(7),
            r.GetFieldValue<string[]>(8), r.GetString(9), TextOrNull(r, 10), TextOrNull(r, 11),
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(12), Json)!,
            JsonSerializer.Deserialize<EmailTag[]>(r.GetString(13), Json)!,
            JsonSerializer.Deserialize<EmailAttachment[]>(r.GetString(14), Json)!,
            new TrackedFlags(r.GetBoolean(15), r.GetBoolean(16)),
            [.. r.GetFieldValue<string[]>(17)], r.GetString(18), r.GetString(19), Tid: TextOrNull(r, 20));
        if (TextOrNull(r, 21) is not { } placeholder) return email;
        var (html, text) = new BroadcastTemplate(email.Html, email.Text, email.Links, placeholder).Render(email.Id, email.Tid!, links);
        return email with { Html = html, Text = text };
    }

    static string? TextOrNull(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
