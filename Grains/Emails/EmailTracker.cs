using System.Net;
using System.Text.RegularExpressions;
using Tracking.Links;

namespace Tracking.Emails;

/// <summary>Tracked html and text, and the destinations the click links point at (a link's index is its place here).</summary>
public sealed record TrackedContent(string? Html, string? Text, List<string> Links);

/// <summary>Applies an email's tracking settings to its html and text parts.</summary>
public sealed class EmailTracker(TrackingLinks links)
{
    /// <summary>What the client asked for; everything is tracked unless turned off.</summary>
    public static TrackedFlags Flags(TrackingSettings? asked) => new(asked?.Open ?? true, asked?.Click ?? true, asked?.ClickText ?? true);

    /// <summary>
    /// The email's content as recipients get it. Past <see cref="EmailValidation.MaxLinks"/> destinations
    /// links are left as they are, and <see cref="TrackedContent.Links"/> says how many there were.
    /// </summary>
    public TrackedContent Track(Guid emailId, string? html, string? text, TrackedFlags flags)
    {
        var destinations = new Destinations();
        string Click(string destination) =>
            destinations.IndexOf(destination) is var index and < EmailValidation.MaxLinks ? links.ClickUrl(emailId, index) : destination;
        return Track(html, text, flags, destinations, links.PixelUrl(emailId), Click, Click);
    }

    /// <summary>
    /// Rewrites a broadcast's content once, with placeholders that <see cref="BroadcastTemplate.Render"/>
    /// fills per recipient: that recipient's pixel and signed broadcast-form links.
    /// </summary>
    public BroadcastTemplate Template(string? html, string? text, TrackedFlags flags)
    {
        var marker = "trk" + Guid.NewGuid().ToString("N")[..12];
        var destinations = new Destinations();
        var content = Track(html, text, flags, destinations, $"~{marker}P~",
            destination => $"~{marker}H{destinations.IndexOf(destination)}~",
            destination => $"~{marker}T{destinations.IndexOf(destination)}~");
        return new BroadcastTemplate(content, new Regex($"~{marker}(P|[HT][0-9]+)~"), links);
    }

    static TrackedContent Track(string? html, string? text, TrackedFlags flags, Destinations destinations,
        string pixelUrl, Func<string, string> htmlClick, Func<string, string> textClick)
    {
        var trackedHtml = string.IsNullOrEmpty(html) ? null
            : EmailHtmlRewriter.Rewrite(html, flags.Open ? pixelUrl : null, flags.Click ? htmlClick : null);
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

/// <summary>A broadcast's content rewritten once; rendering a recipient is a string substitution.</summary>
public sealed class BroadcastTemplate(TrackedContent content, Regex placeholder, TrackingLinks links)
{
    public List<string> Links => content.Links;

    public (string? Html, string? Text) Render(Guid emailId, string tid)
    {
        string Fill(Match m)
        {
            var code = m.Groups[1].Value;
            if (code == "P") return WebUtility.HtmlEncode(links.PixelUrl(emailId));
            var url = links.BroadcastClickUrl(emailId, content.Links[int.Parse(code[1..])], tid);
            return code[0] == 'H' ? WebUtility.HtmlEncode(url) : url;
        }
        return (content.Html is null ? null : placeholder.Replace(content.Html, Fill),
                content.Text is null ? null : placeholder.Replace(content.Text, Fill));
    }
}
