using System.Buffers.Binary;
using System.Buffers.Text;

namespace Tracking.Grains.Projects;

/// <summary>
/// The opaque <c>next_cursor</c> of a page: where the next one starts, stable while new rows arrive. Events
/// page by sequence number, emails by creation time and id.
/// </summary>
public static class PageCursor
{
    public static string Of(long seq)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, seq);
        return Base64Url.EncodeToString(bytes);
    }

    public static string Of(DateTimeOffset createdAt, Guid id)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, createdAt.UtcTicks);
        id.TryWriteBytes(bytes[8..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    public static long? Seq(string cursor)
    {
        Span<byte> bytes = stackalloc byte[8];
        return TryDecode(cursor, bytes) && BinaryPrimitives.ReadInt64BigEndian(bytes) is var seq and > 0 ? seq : null;
    }

    public static (DateTimeOffset CreatedAt, Guid Id)? Email(string cursor)
    {
        Span<byte> bytes = stackalloc byte[24];
        if (!TryDecode(cursor, bytes)) return null;
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.UnixEpoch.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks) return null;
        return (new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes[8..], bigEndian: true));
    }

    // Exactly the canonical spelling of exactly as many bytes as the cursor holds.
    static bool TryDecode(string cursor, Span<byte> bytes)
    {
        if (cursor.Length != Base64Url.GetEncodedLength(bytes.Length)) return false;
        try
        {
            return Base64Url.TryDecodeFromChars(cursor, bytes, out var written) && written == bytes.Length;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
