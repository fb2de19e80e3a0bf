using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tracking.Contracts;

namespace Tracking.Grains.Webhooks;

/// <summary>
/// Makes a webhook delivery's attempt: the signed POST, through a client that connects only where the
/// SSRF policy allows, and the retry schedule that follows a failure.
/// </summary>
public sealed class WebhookAttempts(WebhookUrlPolicy policy, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<WebhookAttempts> log) : IDisposable
{
    readonly WebhookOptions settings = options.Value;
    readonly TimeSpan[] schedule = options.Value.RetrySchedule;
    readonly HttpClient http = new(new SocketsHttpHandler
    {
        ConnectCallback = policy.Connect,
        // A proxy from the environment would make the connection, and the policy would check the proxy.
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>One signed POST of a delivery: the status, what to record of it, and the Retry-After asked for.</summary>
    public async Task<(int? Status, string Error, TimeSpan? RetryAfter)> Post(ClaimedDelivery delivery, CancellationToken stopping)
    {
        var id = PublicEventId.Of(delivery.EventId);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString());
        request.Headers.Add("webhook-signature", WebhookSignature.Header(delivery.Keys, id, timestamp, delivery.Payload));
        request.Headers.UserAgent.ParseAdd("Tracking-Webhooks/1.0");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            TimeSpan? retryAfter = status is 429 or 503 ? response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - clock.GetUtcNow(),
                _ => null,
            } : null;
            return (status, $"The endpoint answered {status}.", retryAfter);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (null, $"No answer within {settings.TimeoutSeconds} s.", null);
        }
        catch (HttpRequestException ex)
        {
            // What a tenant sees is the same for every connection failure: a refused port and an open one that
            // speaks no HTTP must not tell a stranger apart which ports of a host are open. The log has it all.
            log.NoHttpAnswer(ex, delivery.Id, delivery.EventId);
            return (null, ex.InnerException is WebhookBlockedException blocked ? blocked.Message : UnreachableError, null);
        }
    }

    public const string UnreachableError = "The endpoint could not be reached.";

    /// <summary>The schedule's delay after this attempt (±10% jitter), or Retry-After when the endpoint asked; null when none are left.</summary>
    public DateTimeOffset? NextAttempt(int attempts, TimeSpan? retryAfter)
    {
        if (attempts > schedule.Length) return null;
        var delay = schedule[attempts - 1] * (0.9 + Random.Shared.NextDouble() * 0.2);
        if (retryAfter is { } asked && asked > TimeSpan.Zero) delay = asked < TimeSpan.FromDays(1) ? asked : TimeSpan.FromDays(1);
        return clock.GetUtcNow() + delay;
    }

    public void Dispose() => http.Dispose();
}
