using System.Text.RegularExpressions;
using Tracking.Links;

namespace Tracking.Emails;

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
            var url = TrimTrailing(match.Value);
            var rest = match.Value[url.Length..];
            return TrackingLinks.IsTrackable(url, out var destination) ? clickUrl(destination) + rest : match.Value;
        });

    static string TrimTrailing(string url)
    {
        while (url.Length > 0)
        {
            var last = url[^1];
            if (last is '.' or ',' or ';' or ':' or '!' or '?' or '*' or '_' or '~') url = url[..^1];
            else if (last == ')' && url.Count(c => c == '(') < url.Count(c => c == ')')) url = url[..^1];
            else if (last == ']' && url.Count(c => c == '[') < url.Count(c => c == ']')) url = url[..^1];
            else if (last == '}' && url.Count(c => c == '{') < url.Count(c => c == '}')) url = url[..^1];
            else break;
        }
        return url;
    }
}
