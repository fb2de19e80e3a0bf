using System.Net;
using System.Text;
using Tracking.Grains.Links;
using Tracking.Contracts;

namespace Tracking.Grains.Emails;

/// <summary>Tracked html and text, and the destinations the click links point at (a link's index is its place here).</summary>
public sealed record TrackedContent(string? Html, string? Text, List<string> Links);

/// <summary>Applies an email's tracking settings to its html and text parts.</summary>
public sealed class EmailTracker(TrackingLinks links)
{
    /// <summary>No pixel and no tracked link: for a recipient who opted out.</summary>
    public static readonly TrackedFlags Untracked = new(Open: false, Click: false, ClickText: false);

    /// <summary>
    /// The email's content as recipients get it. Past <see cref="EmailValidation.MaxLinks"/> destinations
    /// links are left as they are, and <see cref="TrackedContent.Links"/> says how many there were.
    /// </summary>
    public TrackedContent Track(Guid emailId, string? html, string? text, TrackedFlags flags)
    {
        var destinations = new Destinations();
        string Click(string destination) =>
            destinations.IndexOf(destination) is var index and < EmailValidation.MaxLinks ? links.ClickUrl(emailId, index) : destination;
        return Track(html, text, flags, destinations, links.PixelUrl(emailId), Click, Click, links.TrapDestination);
    }

    /// <summary>
    /// Rewrites a broadcast's content once, with placeholders that <see cref="BroadcastTemplate.Render"/>
    /// fills per recipient: that recipient's pixel and signed broadcast-form links.
    /// </summary>
    public static BroadcastTemplate Template(string? html, string? text, TrackedFlags flags, string trapDestination)
    {
        var marker = "trk" + Guid.NewGuid().ToString("N")[..12];
        var destinations = new Destinations();
        var content = Track(html, text, flags, destinations, $"~{marker}P~",
            destination => Fits(destination) ? $"~{marker}H{destinations.IndexOf(destination)}~" : destination,
            destination => Fits(destination) ? $"~{marker}T{destinations.IndexOf(destination)}~" : destination, trapDestination);
        return new BroadcastTemplate(content.Html, content.Text, content.Links, marker);
    }

    /// <summary>
    /// The longest destination a broadcast link carries, escaped. The link holds it in its query, with the
    /// tid (escaped, up to about 1,500 characters) and the signature, and a request line longer than the web
    /// server's 8 KB is refused: a longer destination is left as written, so that the link works untracked.
    /// </summary>
    public const int MaxBroadcastDestination = 4096;

    static bool Fits(string destination) => Uri.EscapeDataString(destination).Length <= MaxBroadcastDestination;

    static TrackedContent Track(string? html, string? text, TrackedFlags flags, Destinations destinations,
        string pixelUrl, Func<string, string> htmlClick, Func<string, string> textClick, string trapDestination)
    {
        var trackedHtml = string.IsNullOrEmpty(html) ? null
            : EmailHtmlRewriter.Rewrite(html, flags.Open ? pixelUrl : null, flags.Click ? htmlClick : null,
                flags.Click && flags.TrapLink ? htmlClick(trapDestination) : null);
        var trackedText = string.IsNullOrEmpty(text) ? null
            : flags.Click && flags.ClickText ? EmailTextRewriter.Rewrite(text, textClick) : text;
        return new TrackedContent(trackedHtml, trackedText, destinations.InOrder);
    }

    /// <summary>Each distinct destination once, numbered in the order first seen.</summary>
    sealed class Destinations
    {
        readonly Dictionary<string, int> indexes = [];
        public List<string> InOrder { get; } = [];

        public int IndexOf(string destination)
        {
            if (indexes.TryGetValue(destination, out var index)) return index;
            indexes.Add(destination, InOrder.Count);
            InOrder.Add(destination);
            return InOrder.Count - 1;
        }
    }
}

/// <summary>
/// A broadcast's content rewritten once, stored once. A recipient's copy is the template with
/// <c>~{Placeholder}P~</c> (the pixel), <c>~{Placeholder}H{n}~</c> and <c>~{Placeholder}T{n}~</c> (link n in
/// html and in text) filled in. The placeholder is random per broadcast, so content cannot forge one.
/// </summary>
public sealed record BroadcastTemplate(string? Html, string? Text, List<string> Links, string Placeholder)
{
    /// <summary>A transparent GIF that fetches nothing: the pixel's place in an untracked recipient's copy.</summary>
    const string NoPixel = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

    /// <summary>A recipient's copy; without tracking (an opted-out recipient), links go straight to their destinations.</summary>
    public (string? Html, string? Text) Render(Guid emailId, string tid, TrackingLinks links, TrackedFlags tracking) =>
        (Fill(Html, emailId, tid, links, tracking), Fill(Text, emailId, tid, links, tracking));

    string? Fill(string? content, Guid emailId, string tid, TrackingLinks links, TrackedFlags tracking)
    {
        if (content is null) return null;
        var open = "~" + Placeholder;
        var copy = new StringBuilder(content.Length + 256);
        var at = 0;
        for (var start = content.IndexOf(open, StringComparison.Ordinal); start >= 0; start = content.IndexOf(open, at, StringComparison.Ordinal))
        {
            var code = start + open.Length;
            var end = content.IndexOf('~', code);
            copy.Append(content, at, start - at);
            at = end + 1;
            if (content[code] == 'P')
            {
                copy.Append(WebUtility.HtmlEncode(tracking.Open ? links.PixelUrl(emailId) : NoPixel));
                continue;
            }
            var destination = Links[int.Parse(content.AsSpan(code + 1, end - code - 1))];
            var url = tracking.Click ? links.BroadcastClickUrl(emailId, destination, tid) : destination;
            copy.Append(content[code] == 'H' ? WebUtility.HtmlEncode(url) : url);
        }
        return copy.Append(content, at, content.Length - at).ToString();
    }
}
