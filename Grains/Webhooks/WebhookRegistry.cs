using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Webhooks;

/// <summary>
/// A project's webhook endpoints (<c>webhooks</c>) as the API has them: made, changed, rotated and deleted,
/// with their deliveries to list and retry. Secrets are kept sealed.
/// </summary>
public sealed class WebhookRegistry(NpgsqlDataSource db, SecretBox box)
{
    const string ViewColumns = "id, url, events, enabled, created_at, disabled_reason, include_machine";

    public async Task<(WebhookView View, string Secret)> Create(Guid projectId, string url, string[] events, bool includeMachine)
    {
        var (secret, key) = WebhookSignature.NewSecret();
        var id = Guid.CreateVersion7();
        await using var command = Command($"""
            INSERT INTO webhooks (id, project_id, url, events, secret, include_machine) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ViewColumns}
            """, id, projectId, url, events, box.Seal(key, SecretBox.WebhookContext(id)), includeMachine);
        return ((await Views(command)).Single(), secret);
    }

    public async Task<WebhookView[]> List(Guid projectId) =>
        await Views(Command($"SELECT {ViewColumns} FROM webhooks WHERE project_id = $1 AND deleted_at IS NULL ORDER BY created_at", projectId));

    public async Task<WebhookView?> Get(Guid projectId, Guid id) =>
        (await Views(Command($"SELECT {ViewColumns} FROM webhooks WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL", id, projectId)))
        .SingleOrDefault();

    /// <summary>Changes what is given; turning a webhook back on forgets why it was turned off.</summary>
    public async Task<WebhookView?> Update(Guid projectId, Guid id, string? url, string[]? events, bool? enabled, bool? includeMachine) =>
        (await Views(Command($"""
            UPDATE webhooks SET url = coalesce($3, url), events = coalesce($4, events), enabled = coalesce($5, enabled),
                include_machine = coalesce($6, include_machine),
                disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END,
                failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END
            WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL
            RETURNING {ViewColumns}
            """, id, projectId, (object?)url ?? DBNull.Value, (object?)events ?? DBNull.Value, (object?)enabled ?? DBNull.Value,
            (object?)includeMachine ?? DBNull.Value)))
        .SingleOrDefault();

    /// <summary>Deletes a webhook; its deliveries still pending end as failed.</summary>
    public async Task<bool> Delete(Guid projectId, Guid id)
    {
        await using var command = Command($"""
            WITH gone AS (UPDATE webhooks SET deleted_at = now(), enabled = false
                          WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL RETURNING id),
            ended AS (UPDATE webhook_deliveries SET status = '{DeliveryStatuses.Failed}', last_error = 'The webhook was deleted.', next_attempt_at = NULL
                      WHERE webhook_id IN (SELECT id FROM gone) AND status IN ('{DeliveryStatuses.Pending}', '{DeliveryStatuses.Sending}'))
            SELECT count(*) FROM gone
            """, id, projectId);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    async Task<bool> Exists(Guid projectId, Guid id)
    {
        await using var command = Command("SELECT EXISTS (SELECT 1 FROM webhooks WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL)", id, projectId);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A new secret; the old one keeps signing (as a second signature) for <paramref name="overlap"/>.</summary>
    public async Task<(WebhookView View, string Secret)?> Rotate(Guid projectId, Guid id, TimeSpan overlap)
    {
        var (secret, key) = WebhookSignature.NewSecret();
        var view = (await Views(Command($"""
            UPDATE webhooks SET previous_secret = secret, previous_secret_expires_at = now() + $4, secret = $3
            WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL RETURNING {ViewColumns}
            """, id, projectId, box.Seal(key, SecretBox.WebhookContext(id)), overlap))).SingleOrDefault();
        return view is null ? null : (view, secret);
    }

    /// <summary>Forgets the previous secrets of rotations whose overlap has ended.</summary>
    public async Task ForgetExpiredSecrets()
    {
        await using var command = Command("UPDATE webhooks SET previous_secret = NULL, previous_secret_expires_at = NULL WHERE previous_secret_expires_at < now()");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A webhook's deliveries, newest first; null when the project has no such webhook.</summary>
    public async Task<WebhookDeliveryPage?> Deliveries(Guid projectId, Guid webhookId, int limit, int offset)
    {
        if (!await Exists(projectId, webhookId)) return null;
        await using var command = Command("""
            SELECT id, event_id, event_type, status, attempts, last_status_code, last_error, next_attempt_at, delivered_at, created_at
            FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
            """, webhookId, limit + 1, offset);
        var rows = new List<WebhookDeliveryView>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new WebhookDeliveryView
            {
                Id = reader.GetGuid(0), EventId = PublicEventId.Of(reader.GetGuid(1)), EventType = reader.GetString(2),
                Status = reader.GetString(3), Attempts = reader.GetInt32(4), LastStatusCode = reader.IsDBNull(5) ? null : reader.GetInt32(5),
                LastError = reader.IsDBNull(6) ? null : reader.GetString(6), NextAttemptAt = Time(reader, 7), DeliveredAt = Time(reader, 8),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(9),
            });
        return new WebhookDeliveryPage(rows.Take(limit).ToArray(), limit, offset, rows.Count > limit);
    }

    /// <summary>Queues a delivery for another attempt now, whatever became of it.</summary>
    public async Task<bool> Retry(Guid projectId, Guid webhookId, Guid deliveryId)
    {
        await using var command = Command($"""
            UPDATE webhook_deliveries d SET status = '{DeliveryStatuses.Pending}', next_attempt_at = now(), locked_until = NULL
            FROM webhooks w
            WHERE d.id = $3 AND d.webhook_id = $2 AND w.id = d.webhook_id AND w.project_id = $1 AND w.deleted_at IS NULL
            """, projectId, webhookId, deliveryId);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    static async Task<WebhookView[]> Views(NpgsqlCommand command)
    {
        await using (command)
        {
            var views = new List<WebhookView>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                views.Add(new WebhookView(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetBoolean(3),
                    reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetBoolean(6)));
            return views.ToArray();
        }
    }

    static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
