using Tracking.Grains.Emails;
using Tracking.Tests.Infrastructure;
using static Tracking.Tests.Infrastructure.TestTracker;
using Tracking.Contracts;

namespace Tracking.Tests.Unit;

public class EmailHtmlRewriterTests
{
    const string Pixel = "<img src=\"https://t.example.com/v1/track/open/0b6f3c1e-8f0e-4c2a-9d7e-2f1a3b4c5d6e\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";

    static TrackedContent Rewrite(string html, bool open = true, bool click = true) =>
        Tracker.Track(EmailId, html, null, new TrackedFlags(open, click));

    static string Click(int index) => $"https://t.example.com/v1/track/click/{Signature.ClickTrackingId(EmailId, index)}";

    [Fact]
    public void Pixel_goes_just_before_the_closing_body_tag()
    {
        var result = Rewrite("<html><body><p>Hi</p></body></html>", click: false);
        Assert.Equal($"<html><body><p>Hi</p>{Pixel}</body></html>", result.Html);
    }

    [Fact]
    public void Pixel_is_appended_when_there_is_no_body()
    {
        Assert.Equal($"<p>Hi</p>{Pixel}", Rewrite("<p>Hi</p>", click: false).Html);
    }

    [Fact]
    public void Pixel_finds_an_uppercase_body_tag()
    {
        Assert.Equal($"<BODY>x{Pixel}</BODY>", Rewrite("<BODY>x</BODY>", click: false).Html);
    }

    [Fact]
    public void Http_and_https_links_are_rewritten_and_their_destinations_kept()
    {
        var result = Rewrite("<a href=\"https://a.example/x\">a</a> <a href='http://b.example/'>b</a>", open: false);
        Assert.Equal($"<a href=\"{Click(0)}\">a</a> <a href=\"{Click(1)}\">b</a>", result.Html);
        Assert.Equal(["https://a.example/x", "http://b.example/"], result.Links);
    }

    [Theory]
    [InlineData("<a href=\"mailto:a@b.example\">m</a>")]
    [InlineData("<a href=\"tel:+123456\">t</a>")]
    [InlineData("<a href=\"#top\">f</a>")]
    [InlineData("<a href=\"/relative/path\">r</a>")]
    [InlineData("<a href=\"javascript:alert(1)\">j</a>")]
    [InlineData("<a href=\"ftp://files.example/x\">f</a>")]
    [InlineData("<a href=\"https://a.example/\" data-no-track>n</a>")]
    [InlineData("<a href=\"https://a.example/\" data-no-track=\"true\">n</a>")]
    [InlineData("<a name=\"anchor\">no href</a>")]
    [InlineData("<!-- <a href=\"https://a.example/\">commented out</a> -->")]
    [InlineData("<script>var s = '<a href=\"https://a.example/\">';</script>")]
    [InlineData("<textarea><a href=\"https://a.example/\">x</a></textarea>")]
    [InlineData("<img alt='<a href=\"https://a.example/\">'>")]
    [InlineData("<style>/* <a href=\"https://a.example/\"> */</style>")]
    [InlineData("<title><a href=\"https://a.example/\"></title>")]
    [InlineData("<!-- x --!><!-- <a href=\"https://a.example/\"> -->")]
    [InlineData("<!DOCTYPE html><?xml version=\"1.0\"?><!-- a -- b --><p><a data-no-track href=https://a.example/>n</a>")]
    [InlineData("<a href=\"https://a.example/")]
    public void Links_that_must_not_be_tracked_stay_exactly_as_they_are(string html)
    {
        var result = Rewrite(html, open: false);
        Assert.Equal(html, result.Html);
        Assert.Empty(result.Links);
    }

    [Theory]
    [InlineData("<!--><a href=\"https://a.example/\">x</a>")]
    [InlineData("<!---><a href=\"https://a.example/\">x</a>")]
    [InlineData("<!-- x ---><a href=\"https://a.example/\">x</a>")]
    [InlineData("<script>'</script '><a href=\"https://a.example/\">x</a>")]
    [InlineData("</p title='<a href=\"https://b.example/\">'><a href=\"https://a.example/\">x</a>")]
    [InlineData("<A\nHREF=https://a.example/>x</A>")]
    public void Links_after_comments_scripts_and_odd_markup_are_still_found(string html)
    {
        var result = Rewrite(html, open: false);
        Assert.Equal(["https://a.example/"], result.Links);
        Assert.Contains($"\"{Click(0)}\"", result.Html);
    }

    [Fact]
    public void Pixel_ignores_a_closing_body_tag_inside_a_script_or_comment()
    {
        var result = Rewrite("<body>x</body><script>document.write('</body>')</script><!-- </body> -->", click: false);
        Assert.Equal($"<body>x{Pixel}</body><script>document.write('</body>')</script><!-- </body> -->", result.Html);
    }

    [Fact]
    public void Entities_query_and_fragment_of_the_original_url_survive()
    {
        var result = Rewrite("<a href=\"https://a.example/p?x=1&amp;y=%20two&z=caf&eacute;#frag\">l</a>", open: false);
        // Non-ASCII is percent-encoded as UTF-8, as a browser would before following the link.
        Assert.Equal(["https://a.example/p?x=1&y=%20two&z=caf%C3%A9#frag"], result.Links);
        Assert.Equal($"<a href=\"{Click(0)}\">l</a>", result.Html);
    }

    [Fact]
    public void Outlook_conditional_comments_and_the_rest_of_the_document_are_kept_byte_for_byte()
    {
        const string before = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\r\n<html xmlns:v=\"urn:schemas-microsoft-com:vml\">\n<head><meta charset=utf-8><style>a { color: red }</style></head>\n<body>\n" +
            "<!--[if mso]><v:roundrect href=\"https://mso.example/\"><a href=\"https://mso.example/\">btn</a></v:roundrect><![endif]-->\n" +
            "<!--[if !mso]><!--><TABLE><TR><TD><A CLASS=btn HREF = https://web.example/?a=1&amp;b=2 TARGET=_blank>Go</A></TD></TR></TABLE><!--<![endif]-->\n" +
            "<p>&nbsp;&copy; 2026 <b>Acme</b><br/></p>\n";
        const string after = "</body>\n</html>\n";
        var result = Rewrite(before + after);

        var expected = before.Replace("HREF = https://web.example/?a=1&amp;b=2", $"HREF = \"{Click(0)}\"") + Pixel + after;
        Assert.Equal(expected, result.Html);
        Assert.Equal(["https://web.example/?a=1&b=2"], result.Links);
    }

    [Fact]
    public void The_same_destination_twice_shares_one_link()
    {
        var result = Rewrite("<a href=\"https://a.example/\">1</a><a href=\"https://a.example/\">2</a>", open: false);
        Assert.Equal(["https://a.example/"], result.Links);
        Assert.Equal($"<a href=\"{Click(0)}\">1</a><a href=\"{Click(0)}\">2</a>", result.Html);
    }

    [Fact]
    public void The_first_href_counts_when_an_anchor_has_two()
    {
        var result = Rewrite("<a title=\"x>y\" href=\"https://a.example/\" href=\"https://b.example/\">1</a>", open: false);
        Assert.Equal(["https://a.example/"], result.Links);
        Assert.Equal($"<a title=\"x>y\" href=\"{Click(0)}\" href=\"https://b.example/\">1</a>", result.Html);
    }

    [Fact]
    public void Misnested_markup_still_rewrites_each_link_once()
    {
        var html = "<a href=\"https://a.example/\"><p>one</a> two</p><a href=\"https://b.example/\">b</a>";
        var result = Rewrite(html, open: false);
        Assert.Equal($"<a href=\"{Click(0)}\"><p>one</a> two</p><a href=\"{Click(1)}\">b</a>", result.Html);
    }

    [Fact]
    public void With_tracking_off_nothing_changes()
    {
        const string html = "<html><body><a href=\"https://a.example/\">a</a></body></html>";
        var result = Rewrite(html, open: false, click: false);
        Assert.Equal(html, result.Html);
        Assert.Empty(result.Links);
    }

    [Theory]
    [InlineData("See https://a.example/x.", "See {0}.")]
    [InlineData("(https://a.example/x)", "({0})")]
    [InlineData("https://a.example/wiki/Foo_(bar), next", "{0}, next")]
    [InlineData("Go: https://a.example/x?y=1&z=2!", "Go: {0}!")]
    [InlineData("\"https://a.example/x\"", "\"{0}\"")]
    [InlineData("<https://a.example/x>", "<{0}>")]
    public void Urls_in_the_text_part_are_rewritten_without_the_punctuation_around_them(string text, string expected)
    {
        var result = Tracker.Track(EmailId, null, text, new TrackedFlags(true, true));
        Assert.Equal(string.Format(expected, Click(0)), result.Text);
        Assert.Single(result.Links);
    }

    [Fact]
    public void Text_and_html_share_link_indexes_and_click_text_false_leaves_text_alone()
    {
        var both = Tracker.Track(EmailId, "<a href=\"https://a.example/\">a</a>", "a: https://a.example/ b: https://b.example/",
            new TrackedFlags(false, true));
        Assert.Equal($"a: {Click(0)} b: {Click(1)}", both.Text);
        Assert.Equal(["https://a.example/", "https://b.example/"], both.Links);

        var htmlOnly = Tracker.Track(EmailId, null, "mailto:x@y.example and https://a.example/", new TrackedFlags(false, true, ClickText: false));
        Assert.Equal("mailto:x@y.example and https://a.example/", htmlOnly.Text);
    }

    [Fact]
    public void A_broadcast_template_renders_each_recipients_pixel_and_signed_links()
    {
        var template = EmailTracker.Template("<a href=\"https://a.example/?p=1&amp;q=2\">a</a></body>", "Visit https://a.example/?p=1&q=2 now",
            new TrackedFlags(true, true), TestTracker.Links.TrapDestination);
        var recipient = Guid.NewGuid();
        var (html, text) = template.Render(recipient, "tid-7", TestTracker.Links, new TrackedFlags(true, true));

        var link = TestTracker.Links.BroadcastClickUrl(recipient, "https://a.example/?p=1&q=2", "tid-7");
        Assert.Contains("&sig=", link);
        Assert.Equal($"<a href=\"{link.Replace("&", "&amp;")}\">a</a><img src=\"{TestTracker.Links.PixelUrl(recipient)}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\"></body>", html);
        Assert.Equal($"Visit {link} now", text);
        Assert.True(Signature.VerifyBroadcast(recipient, "https://a.example/?p=1&q=2", "tid-7",
            System.Web.HttpUtility.ParseQueryString(new Uri(link).Query)["sig"]!));

        // An opted-out recipient's copy of the same template: the links as written, and a pixel that fetches nothing.
        var (untrackedHtml, untrackedText) = template.Render(recipient, "tid-7", TestTracker.Links, EmailTracker.Untracked);
        Assert.StartsWith("<a href=\"https://a.example/?p=1&amp;q=2\">a</a><img src=\"data:image/gif;base64,", untrackedHtml);
        Assert.DoesNotContain("/v1/track/", untrackedHtml);
        Assert.Equal("Visit https://a.example/?p=1&q=2 now", untrackedText);
    }
}
