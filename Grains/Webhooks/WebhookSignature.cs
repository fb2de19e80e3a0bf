using System.Security.Cryptography;
using System.Text;

namespace Tracking.Grains.Webhooks;

/// <summary>Standard Webhooks signing: <c>v1,</c> + base64 HMAC-SHA256 of "{id}.{timestamp}.{body}".</summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static (string Secret, byte[] Key) NewSecret()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        return (SecretPrefix + Convert.ToBase64String(key), key);
    }

    public static string Sign(byte[] key, string webhookId, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.{body}")));

    /// <summary>One signature per live key, space-separated, newest first.</summary>
    public static string Header(IEnumerable<byte[]> keys, string webhookId, long timestamp, string body) =>
        string.Join(' ', keys.Select(k => Sign(k, webhookId, timestamp, body)));
}
