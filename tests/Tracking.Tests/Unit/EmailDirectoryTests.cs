using Tracking.Grains.Emails;
using Tracking.Contracts;

namespace Tracking.Tests.Unit;

public class EmailDirectoryTests
{
    static EmailTracking Email(params string[] links) => new(Guid.NewGuid(), new TrackedFlags(true, true), [.. links]);

    [Fact]
    public void Keeps_at_most_its_entries_and_what_is_in_use_survives()
    {
        var directory = new EmailDirectory(maxEntries: 4);
        var kept = Guid.NewGuid();
        directory.Add(kept, Email());
        for (var i = 0; i < 100; i++)
        {
            directory.Add(Guid.NewGuid(), Email());
            Assert.True(directory.Count <= 4);
            Assert.True(directory.TryFind(kept, out _), $"lost the entry in use after {i + 1} more");
        }
        Assert.False(directory.TryFind(Guid.NewGuid(), out _));
    }

    [Fact]
    public void An_entry_not_used_is_dropped_once_two_generations_have_filled()
    {
        var directory = new EmailDirectory(maxEntries: 4);
        var old = Guid.NewGuid();
        var email = Email("https://shop.example/a");
        directory.Add(old, email);
        Assert.True(directory.TryFind(old, out var found));
        Assert.Same(email, found);
        for (var i = 0; i < 4; i++) directory.Add(Guid.NewGuid(), Email());
        Assert.False(directory.TryFind(old, out _));
    }

    [Fact]
    public void Link_text_bounds_it_too()
    {
        // A newsletter can carry hundreds of links: the bound is on their characters as well as on emails.
        var directory = new EmailDirectory(maxEntries: 1_000_000, maxLinkChars: 2_000);
        var ids = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids) directory.Add(id, Email(new string('x', 200), new string('y', 100)));
        Assert.True(directory.Count <= 2_000 / 300 + 2, $"{directory.Count} emails kept");
        Assert.True(directory.TryFind(ids[^1], out _));
    }
}
