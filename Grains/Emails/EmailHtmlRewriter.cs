using System.Net;
using AngleSharp.Html.Parser;
using Tracking.Links;

namespace Tracking.Emails;

/// <summary>
/// Adds the open pixel and rewrites links. AngleSharp decides what is a real link (not inside a comment,
/// script or attribute) and gives its decoded href; the change itself is spliced into the original text,
/// so everything else (conditional comments, entities, formatting) stays byte for byte.
/// </summary>
public static class EmailHtmlRewriter
{
    static readonly HtmlParser Parser = new(new HtmlParserOptions { IsKeepingSourceReferences = true });

    /// <param name="pixelUrl">The open pixel's URL, or null for no pixel.</param>
    /// <param name="clickUrl">The tracking URL for a destination, or null to leave links alone.</param>
    public static string Rewrite(string html, string? pixelUrl, Func<string, string>? clickUrl)
    {
        var edits = new List<(int Start, int Length, string Text)>();

        if (clickUrl is not null)
        {
            using var document = Parser.ParseDocument(html);
            var seen = new HashSet<int>();
            foreach (var anchor in document.QuerySelectorAll("a[href]"))
            {
                if (anchor.HasAttribute("data-no-track")) continue;
                if (!TrackingLinks.IsTrackable(anchor.GetAttribute("href"), out var destination)) continue;
                // Misnested markup makes the parser clone an <a>; the clone shares its source position.
                if (anchor.SourceReference is not { } source) continue;
                var tagStart = source.Position.Position - 1;
                if (!seen.Add(tagStart) || FindHrefValue(html, tagStart) is not var (start, length)) continue;

                edits.Add((start, length, $"\"{WebUtility.HtmlEncode(clickUrl(destination))}\""));
            }
        }

        if (pixelUrl is not null)
        {
            var pixel = $"<img src=\"{WebUtility.HtmlEncode(pixelUrl)}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";
            var bodyEnd = html.LastIndexOf("</body", StringComparison.OrdinalIgnoreCase);
            edits.Add((bodyEnd < 0 ? html.Length : bodyEnd, 0, pixel));
        }

        var result = new System.Text.StringBuilder(html.Length + edits.Count * 80);
        var cursor = 0;
        foreach (var (start, length, text) in edits.OrderBy(e => e.Start))
        {
            result.Append(html, cursor, start - cursor).Append(text);
            cursor = start + length;
        }
        result.Append(html, cursor, html.Length - cursor);
        return result.ToString();
    }

    /// <summary>
    /// The span of the first href value (quotes included) in the start tag at <paramref name="tagStart"/>,
    /// scanning attributes the way the HTML tokenizer does.
    /// </summary>
    static (int Start, int Length)? FindHrefValue(string html, int tagStart)
    {
        if (tagStart < 0 || tagStart >= html.Length || html[tagStart] != '<') return null;
        var i = tagStart + 1;
        while (i < html.Length && !IsSpace(html[i]) && html[i] != '/' && html[i] != '>') i++;
        while (i < html.Length)
        {
            while (i < html.Length && (IsSpace(html[i]) || html[i] == '/')) i++;
            if (i >= html.Length || html[i] == '>') return null;

            var nameStart = i++;
            while (i < html.Length && !IsSpace(html[i]) && html[i] != '/' && html[i] != '>' && html[i] != '=') i++;
            var isHref = i - nameStart == 4 && string.Compare(html, nameStart, "href", 0, 4, StringComparison.OrdinalIgnoreCase) == 0;

            var afterName = i;
            while (i < html.Length && IsSpace(html[i])) i++;
            if (i >= html.Length || html[i] != '=') { i = afterName; continue; }
            i++;
            while (i < html.Length && IsSpace(html[i])) i++;
            if (i >= html.Length) return null;

            var valueStart = i;
            if (html[i] is '"' or '\'')
            {
                var close = html.IndexOf(html[i], i + 1);
                if (close < 0) return null;
                i = close + 1;
            }
            else
            {
                while (i < html.Length && !IsSpace(html[i]) && html[i] != '>') i++;
            }
            if (isHref) return (valueStart, i - valueStart);
        }
        return null;
    }

    static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';
}
