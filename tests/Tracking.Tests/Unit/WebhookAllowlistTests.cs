using Tracking.Grains.Webhooks;

namespace Tracking.Tests.Unit;

public class WebhookAllowlistTests
{
    static WebhookUrlPolicy Policy(string allowed) =>
        new(Microsoft.Extensions.Options.Options.Create(new WebhookOptions { AllowHttp = true, AllowedHosts = allowed }));

    [Theory]
    [InlineData("127.0.0.1", "http://127.0.0.1/hook", true)]
    [InlineData("127.0.0.1", "https://127.0.0.1/hook", true)]
    [InlineData("127.0.0.1", "http://127.0.0.1:8080/hook", false)]
    [InlineData("127.0.0.1:8080", "http://127.0.0.1:8080/hook", true)]
    [InlineData("127.0.0.1:8080", "http://127.0.0.1:9090/hook", false)]
    [InlineData("127.0.0.1:8080", "http://127.0.0.1/hook", false)]
    [InlineData("[::1]:8080", "http://[::1]:8080/hook", true)]
    [InlineData("[::1]", "http://[::1]:22/hook", false)]
    [InlineData("", "http://93.184.216.34:22/hook", true)]
    public async Task An_allowlist_entry_admits_its_host_on_its_port_and_a_bare_host_on_80_and_443(string allowed, string url, bool admitted) =>
        Assert.Equal(admitted, await Policy(allowed).Check(url) is null);

    [Fact]
    public void A_malformed_allowlist_is_refused_at_start() =>
        Assert.NotNull(new WebhookOptions { AllowedHosts = "127.0.0.1:http" }.Problem());
}
