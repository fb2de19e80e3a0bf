using Tracking.Grains;

namespace Tracking.Tests.Unit;

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
