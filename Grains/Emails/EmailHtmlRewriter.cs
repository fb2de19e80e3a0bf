using System.Net;
using Tracking.Grains.Links;

namespace Tracking.Grains.Emails;

/// <summary>
/// Adds the open pixel and rewrites links in one pass over the text, without building a DOM. It follows
/// the HTML tokenizer far enough to know what is a real start tag: comments (Outlook's conditional
/// comments among them), doctype and bogus comments, quoted attribute values, and the raw text of
/// script, style, textarea and the like are stepped over. Each change is spliced into the original text,
/// so everything else (entities, formatting) stays byte for byte.
/// </summary>
public static class EmailHtmlRewriter
{
    // Elements whose content is text up to their own end tag: markup inside them is not markup.
    static readonly string[] RawTextElements = ["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"];

    /// <param name="pixelUrl">The open pixel's URL, or null for no pixel.</param>
    /// <param name="clickUrl">The tracking URL for a destination, or null to leave links alone.</param>
    /// <param name="trapUrl">The hidden trap link's URL, or null for none: it goes where the pixel does.</param>
    public static string Rewrite(string html, string? pixelUrl, Func<string, string>? clickUrl, string? trapUrl = null)
    {
        var hrefs = Scan(html, clickUrl is not null, out var bodyEnd);
        var edits = new List<Edit>(hrefs.Count + 1);
        var snippet = (pixelUrl is null ? "" : $"<img src=\"{AttributeValue(pixelUrl)}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">")
            // Unseen, unheard by screen readers, out of the tab order: no person follows it.
            + (trapUrl is null ? "" : $"<a href=\"{AttributeValue(trapUrl)}\" style=\"display:none\" aria-hidden=\"true\" tabindex=\"-1\"></a>");
        // The pixel goes just before the last </body>, or at the very end when there is none.
        var pixelAt = snippet.Length == 0 ? -1 : bodyEnd < 0 ? html.Length : bodyEnd;
        foreach (var href in hrefs)
        {
            if (!TrackingLinks.IsTrackable(WebUtility.HtmlDecode(html.Substring(href.Start, href.Length)), out var destination))
                continue;
            var valueStart = href.Quoted ? href.Start - 1 : href.Start;
            if (pixelAt >= 0 && pixelAt <= valueStart) edits.Add(Pixel(pixelAt, snippet, out pixelAt));
            edits.Add(new(valueStart, href.Start + href.Length + (href.Quoted ? 1 : 0) - valueStart,
                "\"" + AttributeValue(clickUrl!(destination)) + "\""));
        }
        if (pixelAt >= 0) edits.Add(Pixel(pixelAt, snippet, out _));
        return Splice(html, edits);
    }

    readonly record struct Edit(int Start, int Length, string Text);

    static Edit Pixel(int at, string snippet, out int pixelAt)
    {
        pixelAt = -1;
        return new(at, 0, snippet);
    }

    static string AttributeValue(string value) => value.AsSpan().IndexOfAny("&\"<>'") < 0 ? value : WebUtility.HtmlEncode(value);

    /// <summary>The text with the edits (in order, not overlapping) applied, built in one allocation.</summary>
    static string Splice(string html, List<Edit> edits)
    {
        var length = html.Length;
        foreach (var edit in edits) length += edit.Text.Length - edit.Length;
        return string.Create(length, (html, edits), static (target, state) =>
        {
            var (source, edits) = state;
            var cursor = 0;
            foreach (var edit in edits)
            {
                source.AsSpan(cursor, edit.Start - cursor).CopyTo(target);
                target = target[(edit.Start - cursor)..];
                edit.Text.CopyTo(target);
                target = target[edit.Text.Length..];
                cursor = edit.Start + edit.Length;
            }
            source.AsSpan(cursor).CopyTo(target);
        });
    }

    /// <summary>A link's href value as written (without its quotes), entities not yet decoded.</summary>
    readonly record struct Href(int Start, int Length, bool Quoted);

    /// <summary>
    /// The first href of every <c>&lt;a&gt;</c> start tag that has one and no <c>data-no-track</c> (when
    /// <paramref name="links"/> is set), and where the last <c>&lt;/body&gt;</c> end tag starts, or -1.
    /// </summary>
    static List<Href> Scan(string html, bool links, out int bodyEnd)
    {
        var hrefs = new List<Href>();
        bodyEnd = -1;
        var i = 0;
        while (i < html.Length)
        {
            var open = html.IndexOf('<', i);
            if (open < 0 || open + 1 >= html.Length) break;
            var next = html[open + 1];
            if (char.IsAsciiLetter(next))
            {
                var tag = ReadTag(html, open + 1, links);
                if (tag.End < 0) break;
                i = tag.End;
                if (tag.IsAnchor) { if (tag.Href is { } href && !tag.NoTrack) hrefs.Add(href); }
                else if (RawTextElement(html.AsSpan(open + 1, tag.NameLength)) is { } element)
                    i = RawTextEnd(html, i, element);
            }
            else if (next == '/')
            {
                // An end tag's attributes are tokenized (quotes and all) and then dropped.
                if (open + 2 < html.Length && char.IsAsciiLetter(html[open + 2]))
                {
                    var tag = ReadTag(html, open + 2, false);
                    if (tag.End < 0) break;
                    i = tag.End;
                    if (tag.NameLength == 4 && html.AsSpan(open + 2, 4).Equals("body", StringComparison.OrdinalIgnoreCase)) bodyEnd = open;
                }
                else i = SkipPast(html, open + 2, '>');
            }
            else if (next == '!') i = DeclarationEnd(html, open);
            else if (next == '?') i = SkipPast(html, open + 2, '>');
            else i = open + 1;
        }
        return hrefs;
    }

    readonly record struct Tag(int End, int NameLength, bool IsAnchor, Href? Href, bool NoTrack);

    /// <summary>Reads a tag from its name to just past its <c>&gt;</c>; End is -1 when the text ends first.</summary>
    static Tag ReadTag(string html, int nameStart, bool links)
    {
        var i = nameStart;
        while (i < html.Length && !IsSpace(html[i]) && html[i] != '/' && html[i] != '>') i++;
        var name = html.AsSpan(nameStart, i - nameStart);
        var isAnchor = links && name is ("a" or "A");
        Href? href = null;
        var noTrack = false;

        while (i < html.Length)
        {
            while (i < html.Length && (IsSpace(html[i]) || html[i] == '/')) i++;
            if (i >= html.Length) break;
            if (html[i] == '>') return new(i + 1, name.Length, isAnchor, href, noTrack);

            // A name may begin with '=': the tokenizer takes it as part of the name.
            var attributeStart = i++;
            while (i < html.Length && !IsSpace(html[i]) && html[i] != '/' && html[i] != '>' && html[i] != '=') i++;
            var attribute = html.AsSpan(attributeStart, i - attributeStart);
            if (isAnchor && attribute.Equals("data-no-track", StringComparison.OrdinalIgnoreCase)) noTrack = true;
            var isHref = isAnchor && href is null && attribute.Equals("href", StringComparison.OrdinalIgnoreCase);

            var afterName = i;
            while (i < html.Length && IsSpace(html[i])) i++;
            if (i >= html.Length) break;
            if (html[i] != '=') { i = afterName; continue; }
            i++;
            while (i < html.Length && IsSpace(html[i])) i++;
            if (i >= html.Length) break;

            if (html[i] is '"' or '\'')
            {
                var close = html.IndexOf(html[i], i + 1);
                if (close < 0) break;
                if (isHref) href = new Href(i + 1, close - i - 1, true);
                i = close + 1;
            }
            else if (html[i] == '>')
            {
                // `href=>`: an empty value, and the tag ends here.
                if (isHref) href = new Href(i, 0, false);
            }
            else
            {
                var valueStart = i;
                while (i < html.Length && !IsSpace(html[i]) && html[i] != '>') i++;
                if (isHref) href = new Href(valueStart, i - valueStart, false);
            }
        }
        return new(-1, name.Length, false, null, false);
    }

    static string? RawTextElement(ReadOnlySpan<char> name)
    {
        if (name.Length is < 3 or > 9) return null;
        foreach (var element in RawTextElements)
            if (name.Equals(element, StringComparison.OrdinalIgnoreCase)) return element;
        return name.Equals("plaintext", StringComparison.OrdinalIgnoreCase) ? "plaintext" : null;
    }

    /// <summary>Where the raw text of <paramref name="element"/> ends: at its end tag, or at the end of the text.</summary>
    static int RawTextEnd(string html, int from, string element)
    {
        if (element == "plaintext") return html.Length;
        var i = from;
        while (true)
        {
            var close = html.IndexOf("</", i, StringComparison.Ordinal);
            if (close < 0) return html.Length;
            var after = close + 2 + element.Length;
            if (after <= html.Length && html.AsSpan(close + 2, element.Length).Equals(element, StringComparison.OrdinalIgnoreCase)
                && (after == html.Length || IsSpace(html[after]) || html[after] is '/' or '>'))
                return close;
            i = close + 2;
        }
    }

    /// <summary>Past a comment, doctype or other <c>&lt;!</c> declaration that starts at <paramref name="open"/>.</summary>
    static int DeclarationEnd(string html, int open)
    {
        if (string.CompareOrdinal(html, open, "<!--", 0, 4) != 0) return SkipPast(html, open + 2, '>');
        var body = open + 4;
        // `<!-->` and `<!--->` are whole (empty) comments.
        if (body < html.Length && html[body] == '>') return body + 1;
        if (body + 1 < html.Length && html[body] == '-' && html[body + 1] == '>') return body + 2;
        for (var i = body; ; )
        {
            var dashes = html.IndexOf("--", i, StringComparison.Ordinal);
            if (dashes < 0) return html.Length;
            var j = dashes + 2;
            while (j < html.Length && html[j] == '-') j++;
            if (j < html.Length && html[j] == '>') return j + 1;
            if (j + 1 < html.Length && html[j] == '!' && html[j + 1] == '>') return j + 2;
            i = j;
        }
    }

    static int SkipPast(string html, int from, char c)
    {
        var at = from < html.Length ? html.IndexOf(c, from) : -1;
        return at < 0 ? html.Length : at + 1;
    }

    static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';
}
