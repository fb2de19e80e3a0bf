using System.Security.Cryptography;
using System.Text;
using Tracking.Contracts;

namespace Tracking.Grains.Links;

/// <summary>
/// Signs and checks click links with the server's secret keys (HMAC-SHA256, truncated to 128 bits). The
/// first key signs; every key verifies, so links signed before a rotation keep working. The two forms use
/// distinct domain prefixes so a MAC of one can never pass for the other.
/// </summary>
public sealed class TrackingSignature
{
    // Replaced whole when the keys change, so a check always sees one consistent set.
    volatile byte[][] keys;

    public TrackingSignature(params byte[][] keys) => this.keys = Checked(keys);

    /// <summary>Keys to come: the silo's start-up work reads them before anything signs or checks a link.</summary>
    public TrackingSignature() => keys = [];

    /// <summary>From now on, <paramref name="newKeys"/>[0] signs and each of them verifies.</summary>
    public void Use(byte[][] newKeys) => keys = Checked(newKeys);

    public int KeyCount => keys.Length;

    static byte[][] Checked(byte[][] keys) => keys.Length > 0 ? keys : throw new ArgumentException("At least one signing key is needed.");

    static readonly byte[] PlainDomain = "tracking.click.v1\n"u8.ToArray();
    static readonly byte[] BroadcastDomain = "tracking.broadcast.v1\n"u8.ToArray();

    public string ClickTrackingId(Guid emailId, int linkIndex) =>
        new ClickLink(emailId, linkIndex, Mac(keys[0], PlainDomain, ClickLink.Payload(emailId, linkIndex))).Format();

    /// <summary>The link index of an authentic plain tracking id for this email, or null.</summary>
    public int? VerifyClick(string trackingId, Guid emailId)
    {
        if (!ClickLink.TryParse(trackingId, out var link) || link.EmailId != emailId) return null;
        var payload = ClickLink.Payload(link.EmailId, link.LinkIndex);
        var authentic = false;
        // Every key is tried, whichever matches: the time taken does not tell which one did.
        foreach (var key in keys) authentic |= CryptographicOperations.FixedTimeEquals(Mac(key, PlainDomain, payload), link.Mac);
        return authentic ? link.LinkIndex : null;
    }

    public string BroadcastSignature(Guid emailId, string url, string tid) => BroadcastSignature(keys[0], emailId, url, tid);

    static string BroadcastSignature(byte[] key, Guid emailId, string url, string tid) =>
        Convert.ToBase64String(Mac(key, BroadcastDomain, BroadcastPayload(emailId, url, tid)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public bool VerifyBroadcast(Guid emailId, string url, string tid, string signature)
    {
        var given = Encoding.ASCII.GetBytes(signature);
        var authentic = false;
        foreach (var key in keys)
            authentic |= CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(BroadcastSignature(key, emailId, url, tid)), given);
        return authentic;
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

    // One keyed HMAC per thread and key: setting up the key costs more than hashing a link's few bytes.
    [ThreadStatic] static Dictionary<byte[], IncrementalHash>? perThread;

    static byte[] Mac(byte[] key, byte[] domain, byte[] payload)
    {
        var hmacs = perThread ??= new(ReferenceEqualityComparer.Instance);
        if (!hmacs.TryGetValue(key, out var hmac))
        {
            // A thread meets few keys in its life (a rotation adds one); this only bounds the worst case.
            if (hmacs.Count >= 8)
            {
                foreach (var old in hmacs.Values) old.Dispose();
                hmacs.Clear();
            }
            hmacs[key] = hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        }
        hmac.AppendData(domain);
        hmac.AppendData(payload);
        Span<byte> full = stackalloc byte[32];
        hmac.GetHashAndReset(full);
        return full[..ClickLink.MacLength].ToArray();
    }
}
