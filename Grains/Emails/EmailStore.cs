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
public sealed record EmailRecord
{
    public required Guid Id { get; init; }
    public required Guid ProjectId { get; init; }
    public Guid? BroadcastId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string From { get; init; }
    public required string[] To { get; init; }
    public string[] Cc { get; init; } = [];
    public string[] Bcc { get; init; } = [];
    public string[] ReplyTo { get; init; } = [];
    public required string Subject { get; init; }
    public string? Html { get; init; }
    public string? Text { get; init; }
    public Dictionary<string, string> Headers { get; init; } = [];
    public EmailTag[] Tags { get; init; } = [];
    public EmailAttachment[] Attachments { get; init; } = [];
    public required TrackedFlags Tracking { get; init; }
    public List<string> Links { get; init; } = [];
    public required string MessageId { get; init; }
    public required string Status { get; init; }
    /// <summary>SHA-256 of the request that made the email, when it had an Idempotency-Key (read back by RequestHash alone).</summary>
    public byte[]? RequestHash { get; init; }
    public string? Tid { get; init; }
}

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
        headers, tags, {(attachments ? "attachments" : "'[]'::jsonb AS attachments")}, track_open, track_click, links, message_id, status, tid, placeholder
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
        return (email, new DeliveryStatus(email.Status, reader.GetInt32(reader.GetOrdinal("attempts")), TextOrNull(reader, "last_error"),
            TextOrNull(reader, "smtp_response"), Nullable<DateTimeOffset>(reader, "sent_at")), FromJson<AttachmentInfo[]>(reader, "attachment_info"));
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
    /// A project's emails that the query finds, newest first, after <paramref name="after"/> (the last row of the
    /// page before) or at the query's offset; one more than asked tells whether there are more.
    /// </summary>
    public async Task<EmailPage> List(Guid projectId, EmailQuery query, (DateTimeOffset CreatedAt, Guid Id)? after)
    {
        // The search is a substring of the subject or a recipient; LIKE's own wildcards in it are taken literally.
        var pattern = query.Search is { } text ? "%" + text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%" : null;
        var tag = query.Tag?.Split(':', 2);
        await using var command = db.CreateCommand("""
            SELECT id, from_address, to_addresses, subject, status, created_at, broadcast_id FROM emails
            WHERE project_id = $1 AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))
              AND ($6::text IS NULL OR subject ILIKE $6 OR array_to_string(to_addresses, ' ') ILIKE $6)
              AND ($7::text IS NULL OR tags @> jsonb_build_array(jsonb_build_object('name', $7::text, 'value', $8::text)))
            ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = query.Limit + 1 });
        command.Parameters.Add(new() { Value = query.Offset });
        command.Parameters.Add(new() { Value = (object?)after?.CreatedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)after?.Id ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = (object?)pattern ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)tag?[0] ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)tag?[1] ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var rows = new List<EmailSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new EmailSummary(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetString(3),
                reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetGuid(6)));
        var hasMore = rows.Count > query.Limit;
        var page = rows.Take(query.Limit).ToArray();
        return new EmailPage(page, query.Limit, query.Offset, hasMore, hasMore ? PageCursor.Of(page[^1].CreatedAt, page[^1].Id) : null);
    }

    /// <summary>A row of <see cref="ContentColumns"/>, a broadcast recipient's copy rendered from its template.</summary>
    public EmailRecord Read(NpgsqlDataReader r)
    {
        var email = new EmailRecord
        {
            Id = r.GetGuid(r.GetOrdinal("id")),
            ProjectId = r.GetGuid(r.GetOrdinal("project_id")),
            BroadcastId = Nullable<Guid>(r, "broadcast_id"),
            CreatedAt = r.GetFieldValue<DateTimeOffset>(r.GetOrdinal("created_at")),
            From = r.GetString(r.GetOrdinal("from_address")),
            To = r.GetFieldValue<string[]>(r.GetOrdinal("to_addresses")),
            Cc = r.GetFieldValue<string[]>(r.GetOrdinal("cc")),
            Bcc = r.GetFieldValue<string[]>(r.GetOrdinal("bcc")),
            ReplyTo = r.GetFieldValue<string[]>(r.GetOrdinal("reply_to")),
            Subject = r.GetString(r.GetOrdinal("subject")),
            Html = TextOrNull(r, "html"),
            Text = TextOrNull(r, "text"),
            Headers = FromJson<Dictionary<string, string>>(r, "headers"),
            Tags = FromJson<EmailTag[]>(r, "tags"),
            Attachments = FromJson<EmailAttachment[]>(r, "attachments"),
            // The trap link is one of the email's destinations when it has one.
            Tracking = new TrackedFlags(r.GetBoolean(r.GetOrdinal("track_open")), r.GetBoolean(r.GetOrdinal("track_click")),
                TrapLink: r.GetFieldValue<string[]>(r.GetOrdinal("links")).Contains(links.TrapDestination)),
            Links = [.. r.GetFieldValue<string[]>(r.GetOrdinal("links"))],
            MessageId = r.GetString(r.GetOrdinal("message_id")),
            Status = r.GetString(r.GetOrdinal("status")),
            Tid = TextOrNull(r, "tid"),
        };
        if (TextOrNull(r, "placeholder") is not { } placeholder) return email;
        var (html, text) = new BroadcastTemplate(email.Html, email.Text, email.Links, placeholder).Render(email.Id, email.Tid!, links, email.Tracking);
        return email with { Html = html, Text = text };
    }

    static string? TextOrNull(NpgsqlDataReader r, string column) => r.GetOrdinal(column) is var i && r.IsDBNull(i) ? null : r.GetString(i);

    static T? Nullable<T>(NpgsqlDataReader r, string column) where T : struct =>
        r.GetOrdinal(column) is var i && r.IsDBNull(i) ? null : r.GetFieldValue<T>(i);

    static T FromJson<T>(NpgsqlDataReader r, string column) => JsonSerializer.Deserialize<T>(r.GetString(r.GetOrdinal(column)), Json)!;
}
