using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>A relay that offers no TLS, configured with credentials and the default security (Auto).</summary>
public sealed class CredentialedRelayStack : TrackingStack
{
    protected override Dictionary<string, string> SiloSettings() => new()
    {
        ["TRACKING_SMTP_SECURITY"] = "Auto",
        ["TRACKING_SMTP_USERNAME"] = "relay-user",
        ["TRACKING_SMTP_PASSWORD"] = "relay-password",
    };
}

public class SmtpCredentialsTests(CredentialedRelayStack stack) : IClassFixture<CredentialedRelayStack>
{
    [Fact]
    public async Task A_relay_without_tls_never_gets_the_password_and_the_email_waits_with_the_reason()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>secret-free</p>");

        await TrackingStack.Eventually(async () =>
            (await client.GetEmail(id))["last_error"]?.GetValue<string>()?.Contains("not sent in clear") == true, "the attempt fails for want of TLS");
        var email = await client.GetEmail(id);
        Assert.Contains(email["status"]!.GetValue<string>(), new[] { "queued", "sending" });
        Assert.Empty(stack.Relay.For(id));
        Assert.Equal(0, stack.Relay.Attempts);
        Assert.Empty(stack.Relay.Logins);
    }
}
