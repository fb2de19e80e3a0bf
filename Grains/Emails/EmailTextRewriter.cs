using System.Text.RegularExpressions;
using Tracking.Grains.Links;

namespace Tracking.Grains.Emails;

/// <summary>
/// Rewrites http(s) URLs in a plain-text part. Punctuation that ends a sentence, and a closing bracket or
/// quote with no opening one inside the URL, belong to the text around it and stay outside the link.
/// </summary>
public static partial class EmailTextRewriter
{
    [GeneratedRegex(@"https?://[^\s<>""']+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    public static string Rewrite(string text, Func<string, string> clickUrl) =>
        Url().Replace(text, match =>
        {
            var length = UrlLength(match.ValueSpan);
            var url = match.Value[..length];
            return TrackingLinks.IsTrackable(url, out var destination) ? clickUrl(destination) + match.Value[length..] : match.Value;
        });

    /// <summary>
    /// How much of a match is the URL: trailing punctuation goes, and so does a closing bracket while the URL
    /// has more of them than opening ones. One pass to count, one back over what is trimmed: linear, however
    /// many brackets a stranger's text holds.
    /// </summary>
    static int UrlLength(ReadOnlySpan<char> url)
    {
        // Opening minus closing brackets of each kind.
        int round = 0, square = 0, curly = 0;
        foreach (var c in url)
            switch (c)
            {
                case '(': round++; break;
                case ')': round--; break;
                case '[': square++; break;
                case ']': square--; break;
                case '{': curly++; break;
                case '}': curly--; break;
            }
        var end = url.Length;
        while (end > 0)
        {
            var last = url[end - 1];
            if (last is '.' or ',' or ';' or ':' or '!' or '?' or '*' or '_' or '~') end--;
            else if (last == ')' && round < 0) { end--; round++; }
            else if (last == ']' && square < 0) { end--; square++; }
            else if (last == '}' && curly < 0) { end--; curly++; }
            else break;
        }
        return end;
    }
}
