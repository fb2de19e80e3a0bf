using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Tracking.Gateway;

/// <summary>What one client address may cost, bound from the "Gateway" section.</summary>
public sealed class TrafficLimitOptions
{
    public const string Section = "Gateway";

    /// <summary>Opens and clicks recorded per second per address, in bursts of up to twice that; 0 turns the limit off.</summary>
    public int TrackRateLimit { get; set; } = 100;

    /// <summary>Failed API key checks per minute per address; past them, requests get 429 until the minute ends. 0 turns it off.</summary>
    public int AuthFailuresPerMinute { get; set; } = 30;

    /// <summary>Opens and clicks waiting for the cluster; past this, a hit is dropped rather than queued.</summary>
    public int MaxQueuedHits { get; set; } = 10_000;
}

/// <summary>One client for the limits: an IPv4 address, or an IPv6 /64 (what one subscriber is commonly given).</summary>
public static class ClientAddress
{
    public static UInt128 Of(HttpContext http)
    {
        if (http.Connection.RemoteIpAddress is not { } ip) return 0;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out _);
        // Distinct tags in the low bits keep an IPv4 address and an IPv6 prefix apart.
        return ip.AddressFamily == AddressFamily.InterNetwork
            ? (UInt128)BinaryPrimitives.ReadUInt32BigEndian(bytes) << 64 | 1
            : (UInt128)BinaryPrimitives.ReadUInt64BigEndian(bytes) << 64 | 2;
    }
}

/// <summary>
/// Which opens and clicks are recorded: each address gets <see cref="TrafficLimitOptions.TrackRateLimit"/>
/// a second, so replays cannot inflate an email's figures or fan out its webhooks. A hit over the limit is
/// still answered (the GIF, the redirect) but not recorded; those, and hits dropped because the queue to
/// the cluster was full, are counted on the meter and summed up in the log every 10 s.
/// </summary>
public sealed class HitLimits : IDisposable
{
    public const string RateLimited = "rate_limited", QueueFull = "queue_full";
    static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    readonly PartitionedRateLimiter<UInt128>? perAddress;
    readonly ILogger<HitLimits> log;
    readonly ITimer report;
    long rateLimited, queueFull;

    public HitLimits(IOptions<TrafficLimitOptions> options, TimeProvider clock, ILogger<HitLimits> log)
    {
        this.log = log;
        var rate = options.Value.TrackRateLimit;
        if (rate > 0)
            perAddress = PartitionedRateLimiter.Create<UInt128, UInt128>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => new()
            {
                TokenLimit = 2 * rate,
                TokensPerPeriod = rate,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                // The partitioned limiter replenishes every partition from one timer, and drops idle ones.
                AutoReplenishment = false,
            }));
        report = clock.CreateTimer(_ => Report(), null, ReportEvery, ReportEvery);
    }

    /// <summary>Whether this request's hit may be recorded.</summary>
    public bool Admit(HttpContext http)
    {
        if (perAddress is null) return true;
        using var lease = perAddress.AttemptAcquire(ClientAddress.Of(http));
        if (lease.IsAcquired) return true;
        Drop(RateLimited);
        return false;
    }

    public void Drop(string reason)
    {
        Interlocked.Increment(ref reason == RateLimited ? ref rateLimited : ref queueFull);
        GatewayMetrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    void Report()
    {
        var (limited, full) = (Interlocked.Exchange(ref rateLimited, 0), Interlocked.Exchange(ref queueFull, 0));
        if (limited + full > 0)
            log.HitsDropped(limited + full, ReportEvery.TotalSeconds, limited, full);
    }

    public void Dispose()
    {
        report.Dispose();
        perAddress?.Dispose();
    }
}

/// <summary>
/// Failed API key checks per address: past <see cref="TrafficLimitOptions.AuthFailuresPerMinute"/>, an
/// address gets 429 for the rest of the minute, whatever key it sends, so keys cannot be guessed at speed.
/// </summary>
public sealed class AuthFailureLimits : IDisposable
{
    readonly PartitionedRateLimiter<UInt128>? failures;

    public AuthFailureLimits(IOptions<TrafficLimitOptions> options)
    {
        var perMinute = options.Value.AuthFailuresPerMinute;
        if (perMinute > 0)
            failures = PartitionedRateLimiter.Create<UInt128, UInt128>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => new()
            {
                PermitLimit = perMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = false,
            }));
    }

    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    public bool Exhausted(HttpContext http) => failures?.GetStatistics(ClientAddress.Of(http))?.CurrentAvailablePermits == 0;

    public void Failed(HttpContext http)
    {
        using var _ = failures?.AttemptAcquire(ClientAddress.Of(http));
    }

    public void Dispose() => failures?.Dispose();
}
