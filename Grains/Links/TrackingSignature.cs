using System.Security.Cryptography;
using System.Text;

namespace Tracking.Links;

/// <summary>
/// Signs and checks click links with the server's secret key (HMAC-SHA256, truncated to 128 bits).
/// The two forms use distinct domain prefixes so a MAC of one can never pass for the other.
/// </summary>
public sealed class TrackingSignature(byte[] key)
{
    static readonly byte[] PlainDomain = "tracking.click.v1\n"u8.ToArray();
    static readonly byte[] BroadcastDomain = "tracking.broadcast.v1\n"u8.ToArray();

    public string ClickTrackingId(Guid emailId, int linkIndex) =>
        new ClickLink(emailId, linkIndex, Mac(PlainDomain, ClickLink.Payload(emailId, linkIndex))).Format();

    /// <summary>The link index of an authentic plain tracking id for this email, or null.</summary>
    public int? VerifyClick(string trackingId, Guid emailId)
    {
        if (!ClickLink.TryParse(trackingId, out var link) || link.EmailId != emailId) return null;
        var expected = Mac(PlainDomain, ClickLink.Payload(link.EmailId, link.LinkIndex));
        return CryptographicOperations.FixedTimeEquals(expected, link.Mac) ? link.LinkIndex : null;
    }

    public string BroadcastSignature(Guid emailId, string url, string tid) =>
        Convert.ToBase64String(Mac(BroadcastDomain, BroadcastPayload(emailId, url, tid)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public bool VerifyBroadcast(Guid emailId, string url, string tid, string signature)
    {
        var expected = Encoding.ASCII.GetBytes(BroadcastSignature(emailId, url, tid));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    // Length-prefixed fields: "a|bc" and "ab|c" must not sign alike.
    static byte[] BroadcastPayload(Guid emailId, string url, string tid)
    {
        using var buffer = new MemoryStream();
        foreach (var part in new[] { emailId.ToString("N"), url, tid })
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            buffer.Write(BitConverter.GetBytes(bytes.Length));
            buffer.Write(bytes);
        }
        return buffer.ToArray();
    }

    // One keyed HMAC per thread: setting up the key costs more than hashing a link's few bytes.
    [ThreadStatic] static (byte[] Key, IncrementalHash Hmac)? perThread;

    byte[] Mac(byte[] domain, byte[] payload)
    {
        if (perThread is not { } cached || cached.Key != key)
            perThread = cached = (key, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
        cached.Hmac.AppendData(domain);
        cached.Hmac.AppendData(payload);
        Span<byte> full = stackalloc byte[32];
        cached.Hmac.GetHashAndReset(full);
        return full[..ClickLink.MacLength].ToArray();
    }
}
