using System.Buffers.Binary;
using System.Buffers.Text;

namespace Tracking.Contracts;

/// <summary>
/// The layout of a click tracking id: base64url of email id (16 bytes), link index (2 bytes, big-endian)
/// and a MAC (16 bytes). The layout is shared so the Gateway can route a click to its email grain;
/// the MAC is computed and checked only in the silo, which holds the key.
/// In broadcast form the tracking id is the bare email id and the MAC travels as the <c>sig</c> parameter.
/// </summary>
public readonly record struct ClickLink(Guid EmailId, int LinkIndex, byte[] Mac)
{
    public const int MacLength = 16;
    const int PayloadLength = 16 + 2;
    const int TokenBytes = PayloadLength + MacLength;

    /// <summary>The bytes a MAC covers for the plain form.</summary>
    public static byte[] Payload(Guid emailId, int linkIndex)
    {
        var bytes = new byte[PayloadLength];
        emailId.TryWriteBytes(bytes.AsSpan(0, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(16), checked((ushort)linkIndex));
        return bytes;
    }

    public string Format()
    {
        Span<byte> bytes = stackalloc byte[TokenBytes];
        Payload(EmailId, LinkIndex).CopyTo(bytes);
        Mac.AsSpan(0, MacLength).CopyTo(bytes[PayloadLength..]);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryParse(string? trackingId, out ClickLink link)
    {
        link = default;
        if (trackingId is null || trackingId.Length != Base64Url.GetEncodedLength(TokenBytes)) return false;
        if (!Base64Url.IsValid(trackingId, out var decodedLength) || decodedLength != TokenBytes) return false;
        Span<byte> bytes = stackalloc byte[TokenBytes];
        // Only the canonical spelling is accepted: one link, one tracking id.
        try
        {
            if (!Base64Url.TryDecodeFromChars(trackingId, bytes, out var written) || written != TokenBytes
                || Base64Url.EncodeToString(bytes) != trackingId) return false;
        }
        catch (FormatException)
        {
            return false;
        }
        link = new ClickLink(
            new Guid(bytes[..16], bigEndian: true),
            BinaryPrimitives.ReadUInt16BigEndian(bytes[16..]),
            bytes[PayloadLength..].ToArray());
        return true;
    }

    /// <summary>The email a tracking id points at, in either form; false for anything else.</summary>
    public static bool TryGetEmailId(string? trackingId, bool broadcastForm, out Guid emailId)
    {
        emailId = default;
        if (broadcastForm) return Guid.TryParseExact(trackingId, "D", out emailId) || Guid.TryParseExact(trackingId, "N", out emailId);
        if (!TryParse(trackingId, out var link)) return false;
        emailId = link.EmailId;
        return true;
    }
}
