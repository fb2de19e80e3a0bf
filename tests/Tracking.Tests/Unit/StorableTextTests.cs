using Tracking.Grains;

namespace Tracking.Tests.Unit;

public class StorableTextTests
{
    [Theory]
    [InlineData("Mozilla/5.0", 1024, "Mozilla/5.0")]
    [InlineData("a\0b", 1024, "ab")]
    [InlineData("abc\U0001F600", 4, "abc")]
    [InlineData("abc\U0001F600", 5, "abc\U0001F600")]
    [InlineData("abcdef", 3, "abc")]
    [InlineData("", 3, "")]
    public void Keeps_whole_characters_within_the_limit_and_drops_what_postgres_refuses(string value, int max, string expected)
    {
        Assert.Equal(expected, StorableText.Clean(value, max));
        Assert.True(StorableText.IsStorable(StorableText.Clean(value, max)!));
    }

    [Fact]
    public void Lone_surrogates_are_dropped()
    {
        // Built at run time: a lone surrogate does not survive the test framework's attribute data.
        Assert.Equal("lone  high", StorableText.Clean("lone " + (char)0xD83D + " high", 1024));
        Assert.Equal("lone  low", StorableText.Clean("lone " + (char)0xDE00 + " low", 1024));
        Assert.Equal("ab", StorableText.Clean("ab" + (char)0xD83D, 1024));
        Assert.False(StorableText.IsStorable("ab" + (char)0xD83D));
    }

    [Fact]
    public void Null_stays_null() => Assert.Null(StorableText.Clean(null, 10));
}
