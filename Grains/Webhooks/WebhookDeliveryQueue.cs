using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Webhooks;

/// <summary>A delivery claimed for an attempt, with what is needed to make it.</summary>
public sealed record ClaimedDelivery(Guid Id, Guid WebhookId, Guid ProjectId, Guid EventId, string Payload, string Url, int Attempts, byte[][] Keys);

/// <summary>How many more deliveries each listed endpoint (or project) may be given, and any other one.</summary>
public readonly record struct HeldRoom(IReadOnlyDictionary<Guid, int> Listed, int Otherwise);

/// <summary>
/// The delivery queue (<c>webhook_deliveries</c>): events fanned out to their endpoints, claimed with
/// leases for attempts, and the attempts' outcomes. The claimed endpoint's secrets are opened for signing.
/// </summary>
public sealed class WebhookDeliveryQueue
{
    readonly NpgsqlDataSource db;
    readonly SecretBox box;
    // Successful attempts are recorded together: one statement (and one commit) for many deliveries.
    readonly CallBatches<(Guid Id, int StatusCode), bool> delivered;

    public WebhookDeliveryQueue(NpgsqlDataSource db, SecretBox box)
    {
        this.db = db;
        this.box = box;
        delivered = new(MarkDelivered, maxBatch: 1000);
    }

    // An endpoint subscribed to an event.
    const string Subscribed = """
        w.project_id = e.project_id AND w.enabled AND w.deleted_at IS NULL
        AND ('email.' || e.type) = ANY (w.events) AND e.created_at >= w.created_at
        """;

    // The deliveries the events picked by {0} make, one per endpoint subscribed to an event and not yet
    // delivered to, with the payload fixed once for all attempts. The payload is built once per event
    // (OFFSET 0 keeps the subquery whole), and only for events that lack a delivery.
    const string FanOutSource = $$"""
        SELECT gen_random_uuid() AS id, w.id AS webhook_id, w.project_id, e.id AS event_id, e.seq, 'email.' || e.type AS event_type, e.payload
        FROM (
            SELECT e.id, e.seq, e.project_id, e.type, e.created_at,
                json_build_object(
                    'id', 'evt_' || replace(e.id::text, '-', ''),
                    'type', 'email.' || e.type,
                    'created_at', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                    'data', json_strip_nulls(json_build_object(
                        'email_id', e.email_id,
                        'broadcast_id', m.broadcast_id,
                        'from', m.from_address,
                        'to', to_json(m.to_addresses),
                        'subject', m.subject,
                        'tags', m.tags,
                        'ip_address', e.ip_address,
                        'user_agent', e.user_agent,
                        'link', e.link,
                        'referer', e.referer,
                        'opened_at', CASE WHEN e.type = 'opened' THEN to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END,
                        'clicked_at', CASE WHEN e.type = 'clicked' THEN to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END,
                        'smtp_response', CASE WHEN e.type = 'delivered' THEN m.smtp_response END,
                        'reason', CASE WHEN e.type = 'failed' THEN m.last_error END))
                )::text AS payload
            FROM email_events e
            JOIN email_contents m ON m.id = e.email_id
            WHERE {0}
              AND EXISTS (SELECT 1 FROM webhooks w WHERE {{Subscribed}}
                          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.event_id = e.id))
            OFFSET 0) e
        JOIN webhooks w ON {{Subscribed}}
        """;

    // What an attempt needs of a delivery and its endpoint, in the order ReadClaimed expects. A webhook turned
    // off since the delivery was made comes without keys: the delivery then ends without an attempt.
    const string ClaimedColumns = """
        d.id, d.webhook_id, d.event_id, d.payload, w.url, d.attempts, w.enabled AND w.deleted_at IS NULL,
        w.secret, CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret END, w.project_id
        """;

    /// <summary>
    /// Makes the deliveries of fresh events (the stream notices' fast path). As many as the endpoint's and its
    /// project's room allow are made already claimed by this silo, lease and first attempt included, and
    /// returned: their first attempt costs no claim. The rest wait as pending for a claim.
    /// </summary>
    public async Task<List<ClaimedDelivery>> FanOut(Guid[] eventIds, HeldRoom endpoints, HeldRoom projects, TimeSpan lease)
    {
        // Lost in a crash, these rows are made again by the sweep, whose own (durable) commit also flushes
        // them once it has seen them: no need to wait for the disk here.
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await BeginWithoutFlush(connection);
        await using var command = new NpgsqlCommand($"""
            WITH source AS ({string.Format(FanOutSource, "e.id = ANY($1)")}),
            ranked AS (
                SELECT s.*, row_number() OVER (PARTITION BY s.webhook_id ORDER BY s.seq) <= coalesce(r.room, $4)
                            AND row_number() OVER (PARTITION BY s.project_id ORDER BY s.seq) <= coalesce(p.room, $8) AS claimed
                FROM source s LEFT JOIN unnest($2::uuid[], $3::int[]) AS r(webhook_id, room) ON r.webhook_id = s.webhook_id
                              LEFT JOIN unnest($6::uuid[], $7::int[]) AS p(project_id, room) ON p.project_id = s.project_id),
            made AS (
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, next_attempt_at, status, attempts, locked_until)
                SELECT id, webhook_id, event_id, event_type, payload, now(),
                    CASE WHEN claimed THEN 'sending' ELSE 'pending' END, CASE WHEN claimed THEN 1 ELSE 0 END,
                    CASE WHEN claimed THEN now() + $5 END
                FROM ranked
                ON CONFLICT (webhook_id, event_id) DO NOTHING
                RETURNING *)
            SELECT {ClaimedColumns} FROM made d JOIN webhooks w ON w.id = d.webhook_id WHERE d.status = 'sending'
            """, connection, transaction);
        command.Parameters.Add(new() { Value = eventIds });
        command.Parameters.Add(new() { Value = endpoints.Listed.Keys.ToArray() });
        command.Parameters.Add(new() { Value = endpoints.Listed.Values.ToArray() });
        command.Parameters.Add(new() { Value = endpoints.Otherwise });
        command.Parameters.Add(new() { Value = lease });
        command.Parameters.Add(new() { Value = projects.Listed.Keys.ToArray() });
        command.Parameters.Add(new() { Value = projects.Listed.Values.ToArray() });
        command.Parameters.Add(new() { Value = projects.Otherwise });
        var claimed = await ReadClaimed(command);
        await transaction.CommitAsync();
        return claimed;
    }

    /// <summary>How long an open or click is left to its stream notice before the sweep makes its deliveries.</summary>
    public static readonly TimeSpan NoticeGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Fans out the events after the sweep's cursor, or after <paramref name="from"/> when that is later: the
    /// catch-up for events no stream notice covered (delivery events have none). Opens and clicks get
    /// <see cref="NoticeGrace"/> first, so that their notices make and claim their deliveries.
    /// A full pass (<paramref name="from"/> null) moves the durable cursor to <paramref name="settled"/>, an
    /// event sequence number taken long enough ago that every event up to it has committed: an event whose
    /// number was taken earlier but committed later is still seen by the next one. Re-seeing an event is
    /// harmless (one delivery per pair); the pairs already made are skipped. Only one silo sweeps at a time.
    /// </summary>
    /// <param name="graced">An event sequence number taken at least <see cref="NoticeGrace"/> ago, if known.</param>
    /// <returns>
    /// The deliveries made, where a quick pass can start next time, and the newest event sequence number (both
    /// null when another silo holds the sweep).
    /// </returns>
    public async Task<(int Made, long? Next, long? Newest)> Sweep(long? from, long? settled, long? graced)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        long start, newest;
        await using (var lockRow = new NpgsqlCommand(
            "SELECT last_seq, (SELECT coalesce(max(seq), 0) FROM email_events) FROM webhook_sweep WHERE id = 1 FOR UPDATE SKIP LOCKED", connection))
        await using (var row = await lockRow.ExecuteReaderAsync())
        {
            if (!await row.ReadAsync()) return (0, null, null);
            var cursor = row.GetInt64(0);
            newest = row.GetInt64(1);
            start = Math.Max(cursor, from ?? cursor);
        }
        int made;
        await using (var fanOut = new NpgsqlCommand($"""
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, next_attempt_at)
            SELECT s.id, s.webhook_id, s.event_id, s.event_type, s.payload, now()
            FROM ({string.Format(FanOutSource, """
                e.seq > $1 AND (e.type NOT IN ('opened', 'clicked') OR e.created_at < now() - $2)
                """)}) s
            ON CONFLICT (webhook_id, event_id) DO NOTHING
            """, connection))
        {
            fanOut.Parameters.Add(new() { Value = start });
            fanOut.Parameters.Add(new() { Value = NoticeGrace });
            made = await fanOut.ExecuteNonQueryAsync();
        }
        if (from is null && settled is { } moveTo)
            await using (var advance = new NpgsqlCommand("UPDATE webhook_sweep SET last_seq = greatest(last_seq, $1) WHERE id = 1", connection))
            {
                advance.Parameters.Add(new() { Value = moveTo });
                await advance.ExecuteNonQueryAsync();
            }
        await transaction.CommitAsync();
        return (made, Math.Max(start, graced ?? start), newest);
    }

    /// <summary>
    /// Claims due deliveries with a lease, at most <paramref name="perEndpoint"/> in flight for any one
    /// endpoint and <paramref name="perProject"/> for any one project, so a slow endpoint holds only its own
    /// slots and a busy tenant only its own share. Disabled and deleted endpoints are not claimed for.
    /// </summary>
    public async Task<List<ClaimedDelivery>> Claim(int max, int perEndpoint, int perProject, TimeSpan lease)
    {
        // A lease is not worth waiting for the disk: lost in a crash, the delivery is simply due again,
        // and delivery is at least once anyway. So claims commit without waiting for the WAL flush.
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await BeginWithoutFlush(connection);
        await using var command = new NpgsqlCommand($"""
            WITH busy AS (
                SELECT w.id, w.project_id, count(b.id) AS n FROM webhooks w
                LEFT JOIN webhook_deliveries b ON b.webhook_id = w.id AND b.status = 'sending' AND b.locked_until > now()
                WHERE w.enabled AND w.deleted_at IS NULL
                GROUP BY w.id, w.project_id),
            due AS (
                SELECT d.id, d.next_attempt_at, busy.project_id,
                       row_number() OVER (PARTITION BY busy.project_id ORDER BY d.next_attempt_at) AS in_project,
                       sum(busy.n) OVER (PARTITION BY busy.project_id) AS project_busy
                FROM busy
                CROSS JOIN LATERAL (
                    SELECT d.id, d.next_attempt_at FROM webhook_deliveries d
                    WHERE d.webhook_id = busy.id AND d.status IN ('pending', 'sending') AND d.next_attempt_at <= now()
                      AND (d.locked_until IS NULL OR d.locked_until < now())
                    ORDER BY d.next_attempt_at LIMIT greatest($2 - busy.n, 0)) d),
            chosen AS (
                SELECT id FROM due WHERE in_project <= $4 - project_busy
                ORDER BY next_attempt_at LIMIT $1
            )
            UPDATE webhook_deliveries d SET status = 'sending', attempts = d.attempts + 1, locked_until = now() + $3
            FROM chosen, webhooks w
            WHERE d.id = chosen.id AND w.id = d.webhook_id
              AND d.status IN ('pending', 'sending') AND (d.locked_until IS NULL OR d.locked_until < now())
            RETURNING {ClaimedColumns}
            """, connection, transaction);
        command.Parameters.Add(new() { Value = max });
        command.Parameters.Add(new() { Value = perEndpoint });
        command.Parameters.Add(new() { Value = lease });
        command.Parameters.Add(new() { Value = perProject });
        var claimed = await ReadClaimed(command);
        await transaction.CommitAsync();
        return claimed;
    }

    /// <summary>Makes every leased delivery claimable again at once.</summary>
    public async Task ReleaseLeases()
    {
        await using var command = Command("UPDATE webhook_deliveries SET locked_until = NULL WHERE status = 'sending' AND locked_until IS NOT NULL");
        await command.ExecuteNonQueryAsync();
    }

    public Task Delivered(ClaimedDelivery d, int statusCode) => delivered.Run((d.Id, statusCode));

    async Task<IReadOnlyList<bool>> MarkDelivered(IReadOnlyList<(Guid Id, int StatusCode)> attempts)
    {
        await using var command = Command("""
            WITH done AS (
                UPDATE webhook_deliveries d SET status = 'delivered', delivered_at = now(), last_status_code = a.status_code,
                    last_error = NULL, locked_until = NULL, next_attempt_at = NULL
                FROM unnest($1::uuid[], $2::int[]) AS a(id, status_code)
                WHERE d.id = a.id RETURNING d.webhook_id)
            UPDATE webhooks SET failing_since = NULL
            WHERE id IN (SELECT webhook_id FROM done) AND failing_since IS NOT NULL
            """, attempts.Select(a => a.Id).ToArray(), attempts.Select(a => a.StatusCode).ToArray());
        await command.ExecuteNonQueryAsync();
        return attempts.Select(_ => true).ToArray();
    }

    /// <summary>
    /// An attempt that did not succeed: retry at <paramref name="retryAt"/>, or fail for good when it is null.
    /// The endpoint is turned off when told to (410) or when it has failed everything for <paramref name="disableAfter"/>.
    /// </summary>
    public async Task AttemptFailed(ClaimedDelivery d, int? statusCode, string error, DateTimeOffset? retryAt,
        string? disableReason, TimeSpan disableAfter)
    {
        await using var command = Command("""
            WITH attempt AS (
                UPDATE webhook_deliveries SET last_status_code = $2, last_error = $3, locked_until = NULL,
                    status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, next_attempt_at = $4
                WHERE id = $1 RETURNING webhook_id)
            UPDATE webhooks w SET
                failing_since = coalesce(w.failing_since, now()),
                enabled = w.enabled AND $5::text IS NULL AND coalesce(w.failing_since, now()) > now() - $6,
                disabled_reason = coalesce($5, CASE WHEN coalesce(w.failing_since, now()) <= now() - $6
                    THEN 'Every delivery failed for ' || $6::text || '.' END, w.disabled_reason)
            WHERE w.id IN (SELECT webhook_id FROM attempt)
            """, d.Id, (object?)statusCode ?? DBNull.Value, error, (object?)retryAt ?? DBNull.Value,
            (object?)disableReason ?? DBNull.Value, disableAfter);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A transaction whose commit does not wait for the WAL flush.</summary>
    static async Task<NpgsqlTransaction> BeginWithoutFlush(NpgsqlConnection connection)
    {
        var transaction = await connection.BeginTransactionAsync();
        await using var relaxed = new NpgsqlCommand("SET LOCAL synchronous_commit = off", connection, transaction);
        await relaxed.ExecuteNonQueryAsync();
        return transaction;
    }

    async Task<List<ClaimedDelivery>> ReadClaimed(NpgsqlCommand command)
    {
        var claimed = new List<ClaimedDelivery>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var context = SecretBox.WebhookContext(reader.GetGuid(1));
            var keys = new List<byte[]> { box.Open(reader.GetFieldValue<byte[]>(7), context) };
            if (!reader.IsDBNull(8)) keys.Add(box.Open(reader.GetFieldValue<byte[]>(8), context));
            claimed.Add(new ClaimedDelivery(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(9), reader.GetGuid(2), reader.GetString(3),
                reader.GetString(4), reader.GetInt32(5), reader.GetBoolean(6) ? keys.ToArray() : []));
        }
        return claimed;
    }

    NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
