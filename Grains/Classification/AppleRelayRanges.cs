using System.Net;

namespace Tracking.Grains.Classification;

/// <summary>
/// The addresses of Apple's iCloud Private Relay egress, from the CSV file Apple publishes (a range in the first
/// column of each line), when the operator names it in <c>Tracking:AppleRelayRanges</c>. Sorted, merged ranges
/// of 128-bit addresses (IPv4 as IPv4-mapped), searched by halves.
/// </summary>
public sealed class AppleRelayRanges
{
    readonly UInt128[] starts = [], ends = [];

    public AppleRelayRanges(IEnumerable<string>? csvLines = null)
    {
        var ranges = new List<(UInt128 Start, UInt128 End)>();
        foreach (var line in csvLines ?? [])
        {
            var first = line.Split(',', 2)[0].Trim();
            if (IPNetwork.TryParse(first, out var network)) ranges.Add(Range(network));
        }
        ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(UInt128 Start, UInt128 End)>();
        foreach (var r in ranges)
            if (merged.Count > 0 && r.Start <= merged[^1].End + 1) merged[^1] = (merged[^1].Start, UInt128.Max(merged[^1].End, r.End));
            else merged.Add(r);
        starts = [.. merged.Select(r => r.Start)];
        ends = [.. merged.Select(r => r.End)];
    }

    public static AppleRelayRanges FromFile(string? path) => string.IsNullOrWhiteSpace(path) ? new() : new(File.ReadLines(path));

    /// <summary>Whether the operator gave the ranges.</summary>
    public bool Known => starts.Length > 0;

    public bool Contains(string? address)
    {
        if (!IPAddress.TryParse(address, out var ip)) return false;
        var value = Number(ip);
        var at = Array.BinarySearch(starts, value);
        if (at < 0) at = ~at - 1;
        return at >= 0 && value <= ends[at];
    }

    static (UInt128, UInt128) Range(IPNetwork network)
    {
        var start = Number(network.BaseAddress);
        var hostBits = (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128) - network.PrefixLength;
        var span = hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return (start, start + span);
    }

    static UInt128 Number(IPAddress ip)
    {
        Span<byte> bytes = stackalloc byte[16];
        ip.MapToIPv6().TryWriteBytes(bytes, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }
}
