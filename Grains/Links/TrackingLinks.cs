using Tracking.Contracts;

namespace Tracking.Grains.Links;

/// <summary>The public URLs of an email's pixel and of its click links, in the shapes it is given.</summary>
public sealed class TrackingLinks(TrackingUrls urls, TrackingSignature signature)
{
    public string PixelUrl(Guid emailId) => $"{urls.Open}{emailId:D}";

    /// <summary>Where the hidden trap link leads: a click on it is a link scanner's.</summary>
    public string TrapDestination => urls.Trap;

    public string ClickUrl(Guid emailId, int linkIndex) => $"{urls.Click}{signature.ClickTrackingId(emailId, linkIndex)}";

    /// <summary>Broadcast form: the destination travels in the query, covered by <c>sig</c>.</summary>
    public string BroadcastClickUrl(Guid emailId, string url, string tid) =>
        $"{urls.Click}{emailId:D}?url={Uri.EscapeDataString(url)}&tid={Uri.EscapeDataString(tid)}" +
        $"&sig={signature.BroadcastSignature(emailId, url, tid)}";

    /// <summary>
    /// Only absolute http and https URLs are tracked or redirected to. The destination is the URL exactly
    /// as written, except that one with characters a Location header cannot carry is sent in escaped ASCII form.
    /// </summary>
    public static bool IsTrackable(string? url, out string destination)
    {
        destination = url?.Trim() ?? "";
        if (!Uri.TryCreate(destination, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
            return false;
        if (destination.Any(c => c <= ' ' || c >= 0x7F))
            destination = $"{uri.Scheme}://{(uri.UserInfo.Length > 0 ? uri.UserInfo + "@" : "")}{uri.IdnHost}" +
                $"{(uri.IsDefaultPort ? "" : ":" + uri.Port)}{uri.PathAndQuery}{uri.Fragment}";
        return true;
    }
}
