using Npgsql;
using Tracking.Contracts;
using Tracking.Grains.Events;

namespace Tracking.Grains.Webhooks;

/// <summary>A delivery claimed for an attempt, with what is needed to make it.</summary>
public sealed record ClaimedDelivery(Guid Id, Guid WebhookId, Guid ProjectId, Guid EventId, string Payload, string Url, int Attempts, byte[][] Keys);

/// <summary>
/// What a sweep did: the deliveries it made, where a quick pass can start next time and the newest event
/// sequence number (both null when another silo holds the sweep), and whether more is waiting already.
/// </summary>
public readonly record struct SweepPass(int Made, long? Next, long? Newest, bool More);

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
    const string Subscribed = $"""
        w.project_id = e.project_id AND w.enabled AND w.deleted_at IS NULL
        AND ('{EventTypes.WebhookPrefix}' || e.type) = ANY (w.events) AND e.created_at >= w.created_at
        AND (w.include_machine OR e.machine IS NULL)
        """;

    // An event some subscribed endpoint still lacks a delivery of.
    const string Wanted = $"""
        EXISTS (SELECT 1 FROM webhooks w WHERE {Subscribed}
                AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.event_id = e.id))
        """;

    // The deliveries that the events given as arrays ($1 ids, $2 sequence numbers, $3 projects, $4 types,
    // $5 times, $6 payloads, $7 machine verdicts) make: one per endpoint subscribed to an event.
    const string FanOutSource = $"""
        SELECT gen_random_uuid() AS id, w.id AS webhook_id, w.project_id, e.id AS event_id, e.seq,
               '{EventTypes.WebhookPrefix}' || e.type AS event_type, e.payload
        FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[], $7::text[])
             AS e (id, seq, project_id, type, created_at, payload, machine)
        JOIN webhooks w ON {Subscribed}
        """;

    /// <summary>The events' columns as FanOutSource takes them, each payload written once for all its deliveries and attempts.</summary>
    static void AddEvents(NpgsqlCommand command, List<NotifiableEvent> events)
    {
        command.Parameters.Add(new() { Value = events.Select(n => n.Event.Id).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(n => n.Event.Seq).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(n => n.Event.ProjectId).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(n => n.Event.Type).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(n => n.Event.CreatedAt.ToUniversalTime()).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(n => WebhookPayload.Of(n).ToJson()).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(n => n.Event.Machine).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
    }

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
        var events = await EventReader.Notifiable(connection, eventIds, Wanted);
        if (events.Count == 0) return [];
        await using var command = new NpgsqlCommand($"""
            WITH source AS ({FanOutSource}),
            ranked AS (
                SELECT s.*, row_number() OVER (PARTITION BY s.webhook_id ORDER BY s.seq) <= coalesce(r.room, $10)
                            AND row_number() OVER (PARTITION BY s.project_id ORDER BY s.seq) <= coalesce(p.room, $14) AS claimed
                FROM source s LEFT JOIN unnest($8::uuid[], $9::int[]) AS r(webhook_id, room) ON r.webhook_id = s.webhook_id
                              LEFT JOIN unnest($12::uuid[], $13::int[]) AS p(project_id, room) ON p.project_id = s.project_id),
            made AS (
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, next_attempt_at, status, attempts, locked_until)
                SELECT id, webhook_id, event_id, event_type, payload, now(),
                    CASE WHEN claimed THEN '{DeliveryStatuses.Sending}' ELSE '{DeliveryStatuses.Pending}' END, CASE WHEN claimed THEN 1 ELSE 0 END,
                    CASE WHEN claimed THEN now() + $11 END
                FROM ranked
                ON CONFLICT (webhook_id, event_id) DO NOTHING
                RETURNING *)
            SELECT {ClaimedColumns} FROM made d JOIN webhooks w ON w.id = d.webhook_id WHERE d.status = '{DeliveryStatuses.Sending}'
            """, connection, transaction);
        AddEvents(command, events);
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
    /// <param name="batch">The most events read: a longer backlog is swept in steps, its cursors moved no further than what was read.</param>
    public async Task<SweepPass> Sweep(long? from, long? settled, long? graced, int batch)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        long start;
        await using (var lockRow = new NpgsqlCommand("SELECT last_seq FROM webhook_sweep WHERE id = 1 FOR UPDATE SKIP LOCKED", connection))
        {
            if (await lockRow.ExecuteScalarAsync() is not long cursor) return new(0, null, null, More: false);
            start = Math.Max(cursor, from ?? cursor);
        }
        var newest = await EventReader.NewestSeq(connection);
        var events = await EventReader.Notifiable(connection, start, NoticeGrace, Wanted, batch);
        long? reached = events.Count == batch ? events[^1].Event.Seq : null;
        var made = 0;
        if (events.Count > 0)
            await using (var fanOut = new NpgsqlCommand($"""
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, next_attempt_at)
                SELECT s.id, s.webhook_id, s.event_id, s.event_type, s.payload, now() FROM ({FanOutSource}) s
                ON CONFLICT (webhook_id, event_id) DO NOTHING
                """, connection))
            {
                AddEvents(fanOut, events);
                made = await fanOut.ExecuteNonQueryAsync();
            }
        if (from is null && settled is { } moveTo)
            await using (var advance = new NpgsqlCommand("UPDATE webhook_sweep SET last_seq = greatest(last_seq, $1) WHERE id = 1", connection))
            {
                advance.Parameters.Add(new() { Value = reached is { } r ? Math.Min(moveTo, r) : moveTo });
                await advance.ExecuteNonQueryAsync();
            }
        await transaction.CommitAsync();
        return new(made, reached ?? Math.Max(start, graced ?? start), newest, More: reached is not null);
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
                LEFT JOIN webhook_deliveries b ON b.webhook_id = w.id AND b.status = '{DeliveryStatuses.Sending}' AND b.locked_until > now()
                WHERE w.enabled AND w.deleted_at IS NULL
                GROUP BY w.id, w.project_id),
            due AS (
                SELECT d.id, d.next_attempt_at, busy.project_id,
                       row_number() OVER (PARTITION BY busy.project_id ORDER BY d.next_attempt_at) AS in_project,
                       sum(busy.n) OVER (PARTITION BY busy.project_id) AS project_busy
                FROM busy
                CROSS JOIN LATERAL (
                    SELECT d.id, d.next_attempt_at FROM webhook_deliveries d
                    WHERE d.webhook_id = busy.id AND d.status IN ('{DeliveryStatuses.Pending}', '{DeliveryStatuses.Sending}') AND d.next_attempt_at <= now()
                      AND (d.locked_until IS NULL OR d.locked_until < now())
                    ORDER BY d.next_attempt_at LIMIT greatest($2 - busy.n, 0)) d),
            chosen AS (
                SELECT id FROM due WHERE in_project <= $4 - project_busy
                ORDER BY next_attempt_at LIMIT $1
            )
            UPDATE webhook_deliveries d SET status = '{DeliveryStatuses.Sending}', attempts = d.attempts + 1, locked_until = now() + $3
            FROM chosen, webhooks w
            WHERE d.id = chosen.id AND w.id = d.webhook_id
              AND d.status IN ('{DeliveryStatuses.Pending}', '{DeliveryStatuses.Sending}') AND (d.locked_until IS NULL OR d.locked_until < now())
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
        await using var command = Command($"UPDATE webhook_deliveries SET locked_until = NULL WHERE status = '{DeliveryStatuses.Sending}' AND locked_until IS NOT NULL");
        await command.ExecuteNonQueryAsync();
    }

    public Task Delivered(ClaimedDelivery d, int statusCode) => delivered.Run((d.Id, statusCode));

    async Task<IReadOnlyList<bool>> MarkDelivered(IReadOnlyList<(Guid Id, int StatusCode)> attempts)
    {
        await using var command = Command($"""
            WITH done AS (
                UPDATE webhook_deliveries d SET status = '{DeliveryStatuses.Delivered}', delivered_at = now(), last_status_code = a.status_code,
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
        await using var command = Command($"""
            WITH attempt AS (
                UPDATE webhook_deliveries SET last_status_code = $2, last_error = $3, locked_until = NULL,
                    status = CASE WHEN $4::timestamptz IS NULL THEN '{DeliveryStatuses.Failed}' ELSE '{DeliveryStatuses.Pending}' END, next_attempt_at = $4
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
