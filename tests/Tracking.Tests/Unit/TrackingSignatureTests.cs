using System.Buffers.Text;
using Tracking.Grains.Links;
using Tracking.Contracts;

namespace Tracking.Tests.Unit;

public class TrackingSignatureTests
{
    static readonly Guid EmailId = Guid.NewGuid();
    static readonly TrackingSignature Signature = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void A_click_id_verifies_for_its_email_and_gives_its_link()
    {
        var id = Signature.ClickTrackingId(EmailId, 7);
        Assert.Equal(7, Signature.VerifyClick(id, EmailId));
        Assert.True(ClickLink.TryGetEmailId(id, broadcastForm: false, out var routed));
        Assert.Equal(EmailId, routed);
    }

    [Fact]
    public void Changing_any_bit_of_a_click_id_fails_verification()
    {
        var bytes = Base64Url.DecodeFromChars(Signature.ClickTrackingId(EmailId, 3));
        for (var i = 0; i < bytes.Length; i++)
        for (var bit = 0; bit < 8; bit++)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= (byte)(1 << bit);
            var id = Base64Url.EncodeToString(tampered);
            var emailId = ClickLink.TryGetEmailId(id, false, out var e) ? e : Guid.Empty;
            Assert.Null(Signature.VerifyClick(id, emailId));
        }
    }

    [Fact]
    public void A_click_id_does_not_verify_for_another_email_or_key()
    {
        var id = Signature.ClickTrackingId(EmailId, 0);
        Assert.Null(Signature.VerifyClick(id, Guid.NewGuid()));
        Assert.Null(new TrackingSignature(new byte[32]).VerifyClick(id, EmailId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("not base64 at all!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Junk_is_not_a_click_id(string junk)
    {
        Assert.False(ClickLink.TryGetEmailId(junk, false, out _));
        Assert.Null(Signature.VerifyClick(junk, EmailId));
    }

    [Fact]
    public void A_broadcast_signature_covers_email_url_and_tid()
    {
        const string url = "https://a.example/?q=1", tid = "recipient-42";
        var sig = Signature.BroadcastSignature(EmailId, url, tid);
        Assert.True(Signature.VerifyBroadcast(EmailId, url, tid, sig));
        Assert.False(Signature.VerifyBroadcast(Guid.NewGuid(), url, tid, sig));
        Assert.False(Signature.VerifyBroadcast(EmailId, "https://evil.example/?q=1", tid, sig));
        Assert.False(Signature.VerifyBroadcast(EmailId, url + "&x", tid, sig));
        Assert.False(Signature.VerifyBroadcast(EmailId, url, "recipient-43", sig));
        Assert.False(Signature.VerifyBroadcast(EmailId, url, tid, sig[..^1] + (sig[^1] == 'A' ? 'B' : 'A')));
        Assert.False(Signature.VerifyBroadcast(EmailId, url, tid, ""));
    }

    [Fact]
    public void Moving_text_between_url_and_tid_does_not_keep_a_signature_valid()
    {
        var sig = Signature.BroadcastSignature(EmailId, "https://a.example/x", "y");
        Assert.False(Signature.VerifyBroadcast(EmailId, "https://a.example/", "xy", sig));
    }
}
