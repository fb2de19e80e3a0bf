using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Tracking.Grains.Events;

/// <summary>
/// Time-ordered (version 7) event ids, made in bulk. <see cref="Guid.CreateVersion7()"/> asks the kernel for
/// its random bits on every call, which on the hot path was a system call per event; here it is one per batch.
/// </summary>
public static class EventIds
{
    public static Guid[] New(int count, DateTimeOffset at)
    {
        var ids = new Guid[count];
        Span<byte> random = count <= 100 ? stackalloc byte[count * 10] : new byte[count * 10];
        RandomNumberGenerator.Fill(random);
        Span<byte> id = stackalloc byte[16];
        // RFC 9562: 48 bits of Unix milliseconds, version 7, 12 random bits, variant 10, 62 random bits.
        BinaryPrimitives.WriteInt64BigEndian(id, at.ToUnixTimeMilliseconds() << 16);
        for (var i = 0; i < count; i++)
        {
            random.Slice(i * 10, 10).CopyTo(id[6..]);
            id[6] = (byte)(0x70 | (id[6] & 0x0F));
            id[8] = (byte)(0x80 | (id[8] & 0x3F));
            ids[i] = new Guid(id, bigEndian: true);
        }
        return ids;
    }
}
