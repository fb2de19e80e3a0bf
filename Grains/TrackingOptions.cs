namespace Tracking.Grains;

/// <summary>Settings of the silo's tracking domain, bound from the "Tracking" section.</summary>
public sealed class TrackingOptions
{
    public const string Section = "Tracking";

    /// <summary>Where recipients reach the Gateway; pixel and click URLs start with it.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Keep full IP addresses; by default the last IPv4 octet and all but the first 48 IPv6 bits are zeroed.</summary>
    public bool StoreFullIpAddress { get; set; }
}
