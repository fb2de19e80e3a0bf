using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Tracking.Grains.Emails;
using Tracking.Contracts;
using Tracking.Grains.Events;

namespace Tracking.Grains.Delivery;

/// <summary>
/// Drains the outbox (<c>emails</c> rows due for delivery) through the SMTP relay. An email is claimed
/// with a lease before it is sent and marked sent right after the relay accepts it. A silo that dies in
/// between leaves the lease to run out and the email is sent again, with the same Message-ID: the only
/// window for a duplicate is the few milliseconds between the relay's 250 and that status write.
/// </summary>
public sealed class Outbox(NpgsqlDataSource db, EmailStore emails, IOptions<SmtpOptions> options, TimeProvider clock, ILogger<Outbox> log)
    : BackgroundService
{
    const int BatchSize = 20;
    static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    readonly SmtpOptions smtp = options.Value;
    readonly WakeSignal wake = new();

    /// <summary>What a newly accepted email starts as: queued for the relay, or only stored when there is none.</summary>
    public string InitialStatus => smtp.Enabled ? EmailStatuses.Queued : EmailStatuses.Stored;

    /// <summary>Something was queued: look now rather than at the next poll.</summary>
    public void Wake()
    {
        wake.Set();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!smtp.Enabled)
        {
            log.NoRelay();
            return;
        }
        var depthAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (clock.GetUtcNow() - depthAt > DepthEvery)
                {
                    depthAt = clock.GetUtcNow();
                    SiloMetrics.OutboxDepth(await Depth());
                }
                var due = await Claim(stoppingToken);
                if (due.Count > 0) await Deliver(due, stoppingToken);
                else await wake.Wait(IdlePoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.OutboxPassFailed(ex);
                await Task.Delay(IdlePoll, stoppingToken).ContinueWith(_ => { });
            }
        }
    }

    static readonly TimeSpan DepthEvery = TimeSpan.FromSeconds(15);

    /// <summary>How many emails wait to be sent, for the metrics.</summary>
    async Task<long> Depth()
    {
        await using var command = db.CreateCommand(
            $"SELECT count(*) FROM emails WHERE status IN ('{EmailStatuses.Queued}', '{EmailStatuses.Sending}')");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    async Task<List<EmailRecord>> Claim(CancellationToken ct)
    {
        // The content comes from the statement's snapshot, taken before the claim: content never changes.
        await using var command = db.CreateCommand($"""
            WITH claimed AS (
                UPDATE emails e SET status = '{EmailStatuses.Sending}', attempts = e.attempts + 1,
                                    locked_until = now() + make_interval(secs => $2)
                FROM (SELECT id FROM emails
                      WHERE status IN ('{EmailStatuses.Queued}', '{EmailStatuses.Sending}') AND next_attempt_at <= now()
                        AND (locked_until IS NULL OR locked_until < now())
                      ORDER BY next_attempt_at LIMIT $1
                      FOR UPDATE SKIP LOCKED) due
                WHERE e.id = due.id
                RETURNING e.id)
            SELECT {EmailStore.ContentColumns()} FROM email_contents WHERE id IN (SELECT id FROM claimed)
            """);
        command.Parameters.Add(new() { Value = BatchSize });
        command.Parameters.Add(new() { Value = smtp.LeaseSeconds });
        var due = new List<EmailRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) due.Add(emails.Read(reader));
        return due;
    }

    async Task Deliver(List<EmailRecord> due, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = (int)(smtp.TimeoutSeconds * 1000) };
        foreach (var email in due)
        {
            try
            {
                if (!client.IsConnected) await Connect(client, ct);
                var reply = await client.SendAsync(EmailMessage.Build(email), ct);
                await MarkSent(email.Id, $"250 {reply}".Trim());
                SiloMetrics.SmtpOutcomes.Add(1, SiloMetrics.Tag("outcome", "sent"));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                var (permanent, reason) = Classify(ex);
                log.DeliveryFailed(email.Id, permanent ? "permanent" : "temporary", reason);
                SiloMetrics.SmtpOutcomes.Add(1, SiloMetrics.Tag("outcome", permanent ? "failed" : "retry"));
                if (permanent) await MarkFailed(email.Id, reason);
                else await Retry(email.Id, reason);
                // After a failure the session may be in any state: start the next message on a fresh one.
                await Disconnect(client, ct);
            }
        }
        await Disconnect(client, ct);
    }

    async Task Disconnect(SmtpClient client, CancellationToken ct)
    {
        if (!client.IsConnected) return;
        try { await client.DisconnectAsync(true, ct); }
        catch (Exception ex) { log.SmtpNotClosed(ex); }
    }

    async Task Connect(SmtpClient client, CancellationToken ct)
    {
        var security = smtp.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        };
        await client.ConnectAsync(smtp.Host, smtp.Port, security, ct);
        if (!smtp.HasCredentials) return;
        // Auto takes STARTTLS only when offered; the password still goes over TLS alone unless allowed otherwise.
        if (!client.IsSecure && !smtp.AllowInsecureAuth)
            throw new RelayNotSecureException($"The relay {smtp.Host}:{smtp.Port} offered no TLS, and its password is not sent in clear " +
                "(TRACKING_SMTP_ALLOW_INSECURE_AUTH=true would allow it).");
        await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
    }

    /// <summary>5xx replies are final; 4xx replies and connection trouble are worth another try.</summary>
    static (bool Permanent, string Reason) Classify(Exception ex) => ex switch
    {
        SmtpCommandException c => ((int)c.StatusCode >= 500, $"{(int)c.StatusCode} {c.Message}"),
        SmtpProtocolException or IOException or SocketException or TimeoutException or ServiceNotConnectedException
            or AuthenticationException or OperationCanceledException or RelayNotSecureException => (false, ex.Message),
        _ => (true, ex.Message),
    };

    // Each outcome and its event (delivered or failed) are one statement: both or neither.
    Task MarkSent(Guid id, string reply) => Execute($"""
        WITH outcome AS (
            UPDATE emails SET status = '{EmailStatuses.Sent}', sent_at = now(), smtp_response = $2, last_error = NULL,
                              locked_until = NULL, next_attempt_at = NULL
            WHERE id = $1 RETURNING id, project_id, status)
        {EventLog.AppendOutcomes}
        """, id, reply);

    Task MarkFailed(Guid id, string reason) => Execute($"""
        WITH outcome AS (
            UPDATE emails SET status = '{EmailStatuses.Failed}', last_error = $2, locked_until = NULL, next_attempt_at = NULL
            WHERE id = $1 RETURNING id, project_id, status)
        {EventLog.AppendOutcomes}
        """, id, reason);

    /// <summary>Exponential backoff with jitter; past the give-up time the email fails with its last reason.</summary>
    Task Retry(Guid id, string reason) => Execute($"""
        WITH plan AS (
            SELECT id, created_at + $5 * interval '1 hour' AS give_up,
                   least($4, $3 * power(2, greatest(attempts - 1, 0))) * interval '1 second' AS delay
            FROM emails WHERE id = $1),
        retried AS (UPDATE emails e SET
            status = CASE WHEN plan.give_up < now() + plan.delay THEN '{EmailStatuses.Failed}' ELSE '{EmailStatuses.Queued}' END,
            next_attempt_at = CASE WHEN plan.give_up < now() + plan.delay THEN NULL
                                   ELSE now() + plan.delay * (0.5 + random() / 2) END,
            last_error = $2, locked_until = NULL
        FROM plan WHERE e.id = plan.id
        RETURNING e.id, e.project_id, e.status), outcome AS (SELECT * FROM retried)
        {EventLog.AppendOutcomes}
        """, id, reason, smtp.RetryBaseSeconds, smtp.RetryMaxSeconds, smtp.GiveUpAfterHours);

    async Task Execute(string sql, params object[] values)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new() { Value = value });
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The relay would have had the credentials in clear: a setting to fix, so worth retrying, not final.</summary>
public sealed class RelayNotSecureException(string message) : Exception(message);
