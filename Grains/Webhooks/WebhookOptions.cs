using System.Globalization;

namespace Tracking.Webhooks;

/// <summary>Webhook delivery settings, bound from the "Webhooks" section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Accept http:// endpoints (https only by default).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Comma-separated hosts or IPs that may be private or loopback (for local receivers).</summary>
    public string AllowedHosts { get; set; } = "";

    /// <summary>Delays before each retry, in seconds, comma-separated: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.</summary>
    public string RetryScheduleSeconds { get; set; } = "5,300,1800,7200,18000,36000,50400,72000,86400";

    public double TimeoutSeconds { get; set; } = 15;
    public int PerEndpointConcurrency { get; set; } = 4;
    public int MaxConcurrency { get; set; } = 64;
    public double DisableAfterFailingDays { get; set; } = 5;

    /// <summary>
    /// Set by the silo: whether it is the only one (localhost clustering). Only then is a lease found at
    /// start-up surely its own previous run's, free to take back at once.
    /// </summary>
    public bool AloneInCluster { get; set; } = true;

    public HashSet<string> AllowedHostSet => AllowedHosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public TimeSpan[] RetrySchedule => RetryScheduleSeconds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(s => TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture))).ToArray();
}
