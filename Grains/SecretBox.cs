using System.Security.Cryptography;
using System.Text;

namespace Tracking.Grains;

/// <summary>
/// Seals the secrets the database keeps (webhook signing secrets, click-signing keys) with AES-256-GCM under
/// a key from configuration, so a copy of the database alone signs nothing. Each sealed value is bound to
/// where it lives (<c>context</c>), so one cannot be moved to another row. Layout: version 1, nonce, ciphertext, tag.
/// </summary>
public sealed class SecretBox
{
    const byte Version = 1;
    const int NonceBytes = 12, TagBytes = 16;
    public const int KeyBytes = 32;
    readonly byte[] key;

    public SecretBox(byte[] key)
    {
        if (key.Length != KeyBytes) throw new ArgumentException($"The secrets key must be {KeyBytes} bytes.", nameof(key));
        this.key = key;
    }

    /// <summary>The length of a sealed secret of <paramref name="secretBytes"/> bytes.</summary>
    public static int SealedLength(int secretBytes) => 1 + NonceBytes + secretBytes + TagBytes;

    public byte[] Seal(ReadOnlySpan<byte> secret, string context)
    {
        var sealedValue = new byte[SealedLength(secret.Length)];
        sealedValue[0] = Version;
        var nonce = sealedValue.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, secret, sealedValue.AsSpan(1 + NonceBytes, secret.Length), sealedValue.AsSpan(^TagBytes), Encoding.UTF8.GetBytes(context));
        return sealedValue;
    }

    /// <summary>The secret; throws <see cref="CryptographicException"/> for a value not sealed here, for this context.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedValue, string context)
    {
        if (sealedValue.Length < SealedLength(0) || sealedValue[0] != Version)
            throw new CryptographicException("Not a sealed secret.");
        var secret = new byte[sealedValue.Length - SealedLength(0)];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(sealedValue.Slice(1, NonceBytes), sealedValue.Slice(1 + NonceBytes, secret.Length), sealedValue[^TagBytes..], secret,
            Encoding.UTF8.GetBytes(context));
        return secret;
    }

    public static string WebhookContext(Guid webhookId) => $"webhook:{webhookId:N}";
    public static string SigningKeyContext(long id) => $"signing-key:{id}";
}
