using Tracking.Silo;
using Tracking.Tests.Infrastructure;
using Tracking.Grains;

namespace Tracking.Tests.Unit;

public class SecretBoxTests
{
    [Fact]
    public void A_sealed_secret_opens_only_with_its_key_and_in_its_place()
    {
        var box = TrackingStack.Box;
        var secret = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        var sealedValue = box.Seal(secret, "webhook:a");
        Assert.Equal(SecretBox.SealedLength(32), sealedValue.Length);
        Assert.False(sealedValue.AsSpan().IndexOf(secret.AsSpan(0, 8)) >= 0);
        Assert.Equal(secret, box.Open(sealedValue, "webhook:a"));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => box.Open(sealedValue, "webhook:b"));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => new SecretBox(new byte[32]).Open(sealedValue, "webhook:a"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AAAA")]
    [InlineData("not base64 at all")]
    public void A_missing_or_malformed_secrets_key_is_refused_at_start(string? configured) =>
        Assert.Throws<InvalidOperationException>(() => ServerSecrets.BoxFrom(configured));
}
