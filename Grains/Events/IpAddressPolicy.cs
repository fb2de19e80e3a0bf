using System.Net;
using Microsoft.Extensions.Options;
using Tracking.Contracts;

namespace Tracking.Grains.Events;

/// <summary>
/// How much of a recipient's IP address is kept: each project chooses (<see cref="IpStorage"/>); a project that has
/// not chosen keeps the operator's default, a network prefix unless Tracking:StoreFullIpAddress.
/// </summary>
public sealed class IpAddressPolicy(IOptions<TrackingOptions> options)
{
    /// <summary>The storage of a project that has not chosen one.</summary>
    public string Default { get; } = options.Value.StoreFullIpAddress ? IpStorage.Full : IpStorage.Truncated;

    /// <summary>The address as written, or null when it is none.</summary>
    public static string? Full(string? ip)
    {
        if (!IPAddress.TryParse(ip, out var address)) return null;
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    /// <summary>The address's network: IPv4 /24, IPv6 /48.</summary>
    public static string? Truncated(string? ip)
    {
        if (!IPAddress.TryParse(ip, out var address)) return null;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        var keep = bytes.Length == 4 ? 3 : 6; // IPv4 /24, IPv6 /48
        Array.Clear(bytes, keep, bytes.Length - keep);
        return new IPAddress(bytes).ToString();
    }
}
