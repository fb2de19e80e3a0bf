using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using CsCheck;
using Tracking.Grains.Emails;
using static Tracking.Tests.Infrastructure.TestTracker;
using Tracking.Contracts;

namespace Tracking.Tests.Unit;

/// <summary>The rewriters over content a stranger writes: random, malformed and oversized.</summary>
public class RewriterPropertyTests
{
    const string ClickBase = "https://t.example.com/v1/track/click/";

    static Gen<string> Soup(params string[] tokens) => Gen.OneOf(tokens).Array[0, 80].Select(string.Concat);

    // Pieces of URLs and of the punctuation around them, ASCII only: a URL's destination is then its text.
    static readonly Gen<string> TextSoup = Soup("http://", "https://", "a.example", "/p", "?q=1", "&r=2", "#f", ")", "(", "]", "[", "}", "{",
        ".", ",", ";", ":", "!", "?", "*", "_", "~", " ", "\n", "\"", "'", "<", ">", "x", "%41", "mailto:a@b.example");

    static readonly Gen<string> HtmlSoup = Soup("<a href=\"", "<a href='", "<a href=", "<A HREF=", "\"", "'", ">", "<", "/", "=", " ",
        "http://a.example/", "https://b.example/p?q=1&amp;r=2", "mailto:x@y.example", "#top", "data-no-track", "<!--", "-->", "--!>", "<!doctype html>",
        "<script>", "</script>", "<style>", "</style>", "<textarea>", "</textarea>", "<body>", "</body>", "</a>", "<p>", "text", "&", "&quot;", "\n",
        "<?x ?>", "</ a>", "<plaintext>", "\u00e9", "\U0001F600");

    [Fact]
    public void The_text_rewriter_never_throws_and_only_swaps_urls_for_links_that_lead_back_to_them()
    {
        TextSoup.Sample(text =>
        {
            var destinations = new List<string>();
            var rewritten = EmailTextRewriter.Rewrite(text, destination =>
            {
                destinations.Add(destination);
                return $"\u2603{destinations.Count - 1}\u2603";
            });
            // Putting each destination back gives the text as written: nothing else changed.
            var restored = Regex.Replace(rewritten, "\u2603([0-9]+)\u2603", m => destinations[int.Parse(m.Groups[1].Value)]);
            Assert.Equal(text, restored);
            Assert.All(destinations, d => Assert.True(Uri.TryCreate(d, UriKind.Absolute, out var uri) && uri.Scheme.StartsWith("http")));
        }, iter: 2000);
    }

    [Fact]
    public void The_text_rewriter_never_throws_on_any_characters()
    {
        Gen.String.Sample(text => { EmailTextRewriter.Rewrite(text, d => d); }, iter: 2000);
    }

    [Fact]
    public void The_html_rewriter_never_throws_and_every_link_it_makes_is_authentic_and_numbered()
    {
        HtmlSoup.Sample(html =>
        {
            var tracked = Tracker.Track(EmailId, html, null, new TrackedFlags(true, true));
            var parsed = new HtmlParser().ParseDocument(tracked.Html!);
            foreach (var anchor in parsed.QuerySelectorAll("a[href]"))
            {
                var href = anchor.GetAttribute("href")!;
                if (!href.StartsWith(ClickBase)) continue;
                var index = Signature.VerifyClick(href[ClickBase.Length..], EmailId);
                Assert.NotNull(index);
                Assert.InRange(index.Value, 0, tracked.Links.Count - 1);
            }
        }, iter: 2000);
    }

    [Fact]
    public void The_html_rewriter_changes_nothing_when_nothing_is_tracked_and_never_throws_on_any_characters()
    {
        HtmlSoup.Sample(html => Assert.Equal(html.Length == 0 ? null : html, Tracker.Track(EmailId, html, null, new TrackedFlags(false, false)).Html), iter: 500);
        Gen.String.Sample(html => { Tracker.Track(EmailId, html, null, new TrackedFlags(true, true)); }, iter: 2000);
    }

    [Fact]
    public void Large_and_deeply_nested_documents_are_rewritten()
    {
        var nested = new StringBuilder();
        for (var i = 0; i < 100_000; i++) nested.Append("<div><a href=\"https://a.example/").Append(i % 1000).Append("\">");
        var tracked = Tracker.Track(EmailId, nested.ToString(), null, new TrackedFlags(true, true));
        Assert.Equal(1000, tracked.Links.Count);

        var unclosed = "<a href=\"https://a.example/" + new string('x', 10_000_000);
        Assert.Empty(Tracker.Track(EmailId, unclosed, null, new TrackedFlags(true, true)).Links);
    }

    public static TheoryData<string, string, string> HostileShapes => new()
    {
        // Each grows by repeating its middle: a rewriter that scans again per repeat is quadratic.
        { "text", "https://a.example/", ")" },
        { "text", "https://a.example/", "(" },
        { "text", "https://a.example/(", ")]}." },
        { "text", "", "https://a.example/ " },
        { "text", "", "http:" },
        { "html", "<a href=\"https://a.example/", ")" },
        { "html", "", "<a href=x>" },
        { "html", "<!--", "--" },
        { "html", "<script>", "</" },
        { "html", "", "<a " },
        { "html", "", "<" },
    };

    /// <summary>
    /// Work grows in proportion to the content: eight times the content may take a few times eight the time
    /// (the floor keeps small timings out of it), never the sixty-four times of a quadratic rewriter.
    /// </summary>
    [Theory]
    [MemberData(nameof(HostileShapes))]
    public void Rewriting_time_grows_linearly_with_the_size_of_hostile_content(string part, string head, string repeated)
    {
        TimeSpan Time(int repeats)
        {
            var content = head + string.Concat(Enumerable.Repeat(repeated, repeats));
            var best = TimeSpan.MaxValue;
            for (var run = 0; run < 3; run++)
            {
                var watch = Stopwatch.StartNew();
                Tracker.Track(EmailId, part == "html" ? content : null, part == "text" ? content : null, new TrackedFlags(true, true));
                if (watch.Elapsed < best) best = watch.Elapsed;
            }
            return best;
        }

        Time(1000);
        var small = Time(10_000);
        var large = Time(80_000);
        Assert.True(large < small * 24 + TimeSpan.FromMilliseconds(200), $"{small.TotalMilliseconds} ms, then {large.TotalMilliseconds} ms for 8 times the content");
    }
}
