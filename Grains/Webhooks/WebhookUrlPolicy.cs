using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Tracking.Grains.Webhooks;

/// <summary>
/// Keeps webhooks away from internal networks (SSRF). A URL must be https (or http when allowed), and its
/// host must not resolve to loopback, private, link-local (cloud metadata included), CGNAT, multicast,
/// unspecified or address-translating addresses unless its host and port are on the allowlist. Checked at
/// registration, and again on every connection, against the very address the connection then uses, so a
/// DNS change cannot slip past.
/// </summary>
public sealed class WebhookUrlPolicy(IOptions<WebhookOptions> options)
{
    readonly WebhookOptions settings = options.Value;
    readonly HashSet<(string Host, int Port)> allowed = options.Value.AllowedEndpoints;

    /// <summary>Null when the URL may be used; otherwise why not.</summary>
    public async Task<string?> Check(string? url, CancellationToken ct = default)
    {
        if (url is { Length: > 2048 }) return "must be at most 2048 characters";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !StorableText.IsStorable(url)) return "must be an absolute URL";
        if (uri.Scheme != Uri.UriSchemeHttps && !(settings.AllowHttp && uri.Scheme == Uri.UriSchemeHttp))
            return settings.AllowHttp ? "must be an http or https URL" : "must be an https URL";
        try
        {
            var addresses = await Resolve(uri.IdnHost, ct);
            if (addresses.Length == 0) return "has a host that does not resolve";
            if (addresses.Any(a => !IsAllowed(uri.IdnHost, uri.Port, a))) return "must not point at a private, loopback, link-local or otherwise internal address";
            return null;
        }
        catch (SocketException)
        {
            return "has a host that does not resolve";
        }
    }

    /// <summary>For the delivery client: connects only to an address the policy allows.</summary>
    public async ValueTask<Stream> Connect(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = (await Resolve(host, ct)).Where(a => IsAllowed(host, context.DnsEndPoint.Port, a)).ToArray();
        if (addresses.Length == 0) throw new WebhookBlockedException($"{host} resolves to no address a webhook may use");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    static async Task<IPAddress[]> Resolve(string host, CancellationToken ct) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);

    // The allowlist names hosts as written in the URL: a public name that resolves to 127.0.0.1 stays refused.
    bool IsAllowed(string host, int port, IPAddress address) =>
        allowed.Contains((host.Trim('[', ']').ToLowerInvariant(), port)) || !IsInternal(address);

    public static bool IsInternal(IPAddress address)
    {
        if (IPAddress.IsLoopback(address)) return true;
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return b[0] == 0                                   // "this network"
                || b[0] == 10                                  // private
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)   // CGNAT
                || (b[0] == 169 && b[1] == 254)                // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)    // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)     // IETF protocol assignments
                || (b[0] == 192 && b[1] == 88 && b[2] == 99)   // 6to4 relay anycast
                || (b[0] == 192 && b[1] == 168)                // private
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
                || b[0] >= 224;                                // multicast, reserved, broadcast
        return address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (b[0] & 0xFE) == 0xFC                             // unique local (fd00:ec2::254 metadata included)
            || (b[0] == 0x20 && b[1] == 0x02)                    // 6to4 can embed any IPv4 address
            || (b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) // NAT64 likewise
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)    // Teredo (2001::/32) likewise
            || b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0                 // ::/96, IPv4-compatible
            || (b.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && b[10] == 0xFF && b[11] == 0xFF) // ::ffff:0:0/96, IPv4-mapped
            || (b[0] == 0x01 && b.AsSpan(1, 7).IndexOfAnyExcept((byte)0) < 0); // 100::/64, discard
    }
}

public sealed class WebhookBlockedException(string message) : Exception(message);
