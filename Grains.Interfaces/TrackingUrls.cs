namespace Tracking.Contracts;

/// <summary>
/// The shapes of tracked URLs, one value shared by the Gateway, which serves them, and the silo, which writes
/// them into emails: the pixel is <see cref="Open"/> followed by an email id, a click link <see cref="Click"/>
/// followed by its tracking id (or, for a broadcast, by the email id and a signed query).
/// </summary>
/// <see cref="Trap"/> is the destination of the hidden trap link, which only machines follow.
public sealed record TrackingUrls(string Open, string Click, string Trap)
{
    public const string OpenRoute = "/v1/track/open";
    public const string ClickRoute = "/v1/track/click";
    public const string TrapRoute = "/v1/track/trap";

    /// <summary>The URLs under which recipients reach the Gateway at <paramref name="publicBaseUrl"/>.</summary>
    public static TrackingUrls At(string publicBaseUrl)
    {
        var root = publicBaseUrl.TrimEnd('/');
        return new($"{root}{OpenRoute}/", $"{root}{ClickRoute}/", $"{root}{TrapRoute}");
    }
}
