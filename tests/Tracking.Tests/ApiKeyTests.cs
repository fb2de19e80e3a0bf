using System.Net;
using Tracking.Tests.Infrastructure;
using Tracking.Contracts;
using Tracking.Grains;

namespace Tracking.Tests;

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
        for (var i = 0; i < 100; i++) Assert.True(ApiKeyFormat.IsWellFormed(Tracking.Grains.Projects.ProjectStore.NewApiKey()));
        Assert.False(ApiKeyFormat.IsWellFormed(new string('a', 30_000)));
        Assert.False(ApiKeyFormat.IsWellFormed("tk_" + new string('a', 200)));
    }
}

public class LruCacheTests
{
    [Fact]
    public void Holds_at_most_its_capacity_and_drops_the_least_recently_used()
    {
        var cache = new LruCache<int, string>(3);
        cache.Set(1, "a");
        cache.Set(2, "b");
        cache.Set(3, "c");
        Assert.True(cache.TryGet(1, out _));
        cache.Set(4, "d");
        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGet(2, out _));
        Assert.True(cache.TryGet(1, out var one));
        Assert.Equal("a", one);
        for (var i = 0; i < 10_000; i++) cache.Set(100 + i, "x");
        Assert.Equal(3, cache.Count);
        cache.Set(100 + 9_999, "y");
        Assert.True(cache.TryGet(100 + 9_999, out var updated));
        Assert.Equal("y", updated);
    }
}

[Collection(StackCollection.Name)]
public class ApiKeyAbuseTests(TrackingStack stack)
{
    [Fact]
    public async Task A_30_KB_key_is_a_401_and_a_real_key_keeps_working()
    {
        using var bogus = new HttpClient { BaseAddress = stack.BaseUrl };
        bogus.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer tk_" + new string('a', 30_000));
        var response = await bogus.GetAsync("/v1/emails");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        using var client = stack.ClientFor(await stack.CreateProject());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/emails")).StatusCode);
    }
}
