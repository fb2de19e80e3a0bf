using System.Net;
using Microsoft.Extensions.Options;

namespace Tracking.Grains.Events;

/// <summary>How much of a recipient's IP address is kept: a network prefix by default, all of it by choice.</summary>
public sealed class IpAddressPolicy(IOptions<TrackingOptions> options)
{
    readonly bool storeFull = options.Value.StoreFullIpAddress;

    public string? Apply(string? ip)
    {
        if (!IPAddress.TryParse(ip, out var address)) return null;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (storeFull) return address.ToString();

        var bytes = address.GetAddressBytes();
        var keep = bytes.Length == 4 ? 3 : 6; // IPv4 /24, IPv6 /48
        Array.Clear(bytes, keep, bytes.Length - keep);
        return new IPAddress(bytes).ToString();
    }
}
