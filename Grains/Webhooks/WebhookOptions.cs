using System.Globalization;

namespace Tracking.Grains.Webhooks;

/// <summary>Webhook delivery settings, bound from the "Webhooks" section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Accept http:// endpoints (https only by default).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Comma-separated <c>host:port</c> entries that may be private or loopback (local receivers); a host
    /// alone allows its ports 80 and 443 only. IPv6 literals in brackets: <c>[::1]:8080</c>.
    /// </summary>
    public string AllowedHosts { get; set; } = "";

    /// <summary>Endpoints a project may have.</summary>
    public int MaxPerProject { get; set; } = 20;

    /// <summary>Attempts at once for all of one project's endpoints, so that one tenant cannot take every slot.</summary>
    public int PerProjectConcurrency { get; set; } = 16;

    /// <summary>Delays before each retry, in seconds, comma-separated: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.</summary>
    public string RetryScheduleSeconds { get; set; } = "5,300,1800,7200,18000,36000,50400,72000,86400";

    /// <summary>Events one sweep of the log reads at most; a longer backlog is swept in steps.</summary>
    public int SweepBatch { get; set; } = 5_000;

    public double TimeoutSeconds { get; set; } = 15;
    public int PerEndpointConcurrency { get; set; } = 4;
    public int MaxConcurrency { get; set; } = 64;
    public double DisableAfterFailingDays { get; set; } = 5;

    /// <summary>
    /// Set by the silo: whether it is the only one (localhost clustering). Only then is a lease found at
    /// start-up surely its own previous run's, free to take back at once.
    /// </summary>
    public bool AloneInCluster { get; set; } = true;

    /// <summary>The allowlist as (host, port) pairs; a host given alone stands for ports 80 and 443.</summary>
    public HashSet<(string Host, int Port)> AllowedEndpoints => AllowedHosts
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .SelectMany(entry =>
        {
            // "host", "host:port", "[v6]" or "[v6]:port"
            var colon = entry.LastIndexOf(':');
            var bracketed = entry.StartsWith('[');
            var hasPort = colon > 0 && (bracketed ? entry[colon - 1] == ']' : entry.IndexOf(':') == colon);
            var host = (hasPort ? entry[..colon] : entry).Trim('[', ']').ToLowerInvariant();
            if (!hasPort) return new[] { (host, 80), (host, 443) };
            if (!int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                throw new FormatException($"Webhooks:AllowedHosts: '{entry}' has no valid port");
            return new[] { (host, port) };
        })
        .ToHashSet();

    /// <summary>Why these settings cannot be used, or null.</summary>
    public string? Problem()
    {
        try
        {
            if (RetrySchedule.Length == 0) return "Webhooks:RetryScheduleSeconds must list at least one delay";
            _ = AllowedEndpoints;
        }
        catch (FormatException ex)
        {
            return ex.Message.StartsWith("Webhooks:") ? ex.Message : "Webhooks:RetryScheduleSeconds must be a comma-separated list of seconds";
        }
        return PerEndpointConcurrency < 1 || PerProjectConcurrency < 1 || MaxConcurrency < 1 || MaxPerProject < 1 || SweepBatch < 1
            ? "Webhooks: the concurrency settings, MaxPerProject and SweepBatch must be at least 1" : null;
    }

    public TimeSpan[] RetrySchedule => RetryScheduleSeconds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(s => TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture))).ToArray();
}
