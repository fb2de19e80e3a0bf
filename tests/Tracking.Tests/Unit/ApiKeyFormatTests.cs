using Tracking.Contracts;

namespace Tracking.Tests.Unit;

public class ApiKeyFormatTests
{
    [Theory]
    [InlineData("tk_bootstrap_test_key_0123456789", true)]
    [InlineData("tk_AbCdEfGhIjKlMnOpQrStUvWx-_09", true)]
    [InlineData("tk_short", false)]
    [InlineData("TK_bootstrap_test_key_0123456789", false)]
    [InlineData("tk_bootstrap test key 0123456789", false)]
    [InlineData("tk_bootstrap_test_key_012345678\u00e9", false)]
    [InlineData("", false)]
    public void A_key_is_tk_and_url_safe_characters(string key, bool wellFormed) => Assert.Equal(wellFormed, ApiKeyFormat.IsWellFormed(key));

    [Fact]
    public void Keys_made_by_the_service_are_well_formed_and_an_ill_formed_bootstrap_key_is_refused()
    {
        for (var i = 0; i < 100; i++) Assert.True(ApiKeyFormat.IsWellFormed(Tracking.Grains.Projects.ApiKeyStore.NewKey()));
        Assert.False(ApiKeyFormat.IsWellFormed(new string('a', 30_000)));
        Assert.False(ApiKeyFormat.IsWellFormed("tk_" + new string('a', 200)));
    }
}
