using Tracking.Grains.Delivery;

namespace Tracking.Tests.Unit;

public class SmtpOptionsTests
{
    [Theory]
    [InlineData(SmtpSecurity.None, "relay-user", false, false)]
    [InlineData(SmtpSecurity.None, "relay-user", true, true)]
    [InlineData(SmtpSecurity.None, null, false, true)]
    [InlineData(SmtpSecurity.Auto, "relay-user", false, true)]
    [InlineData(SmtpSecurity.StartTls, "relay-user", false, true)]
    public void Credentials_over_a_connection_without_tls_need_the_operators_explicit_consent(SmtpSecurity security, string? user, bool allow, bool usable)
    {
        var options = new SmtpOptions { Host = "smtp.example.net", Security = security, Username = user, Password = "secret", AllowInsecureAuth = allow };
        Assert.Equal(usable, options.Problem() is null);
    }
}
