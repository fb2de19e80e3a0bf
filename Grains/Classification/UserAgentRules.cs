using Tracking.Contracts;
using static Tracking.Contracts.MachineReasons;

namespace Tracking.Grains.Classification;

/// <summary>How a rule reads a user agent: a part of it (any case), the whole of it, or a regular expression.</summary>
public enum UserAgentMatch { Contains, Exactly, Pattern }

/// <summary>
/// A user agent that names its client. <see cref="Os"/> and <see cref="Device"/> null: read from the platform
/// tokens; set: fixed (a proxy's user agent claims a platform that is not the reader's).
/// </summary>
public sealed record ClientRule(string Name, UserAgentMatch How, string Text, string? Os = null, string? Device = null);

/// <summary>A user agent that is a machine's, with the reason an open and a click from it get (null: none).</summary>
public sealed record MachineRule(UserAgentMatch How, string Text, string? OnOpen, string? OnClick);

/// <summary>A platform token, and the system and device it means.</summary>
public sealed record PlatformRule(string Token, string Os, string Device);

/// <summary>
/// Every rule the classifier knows, as data, in the order they are tried (the first that matches wins). Each is
/// covered by a case of the user agent table in the tests, with where the string was published.
/// </summary>
public static class UserAgentRules
{
    const string Unknown = EventClient.Unknown;

    public static readonly ClientRule[] Clients =
    [
        // Apple Mail Privacy Protection fetches through Apple's proxies with exactly this, and nothing more.
        new("Apple Mail", UserAgentMatch.Exactly, "Mozilla/5.0", Unknown, Unknown),
        // Gmail: its prefetch, and its image proxy (which fetches for a person reading, on any device).
        new("Gmail", UserAgentMatch.Contains, "Edge/12.246 Mozilla/5.0", Unknown, Unknown),
        new("Gmail", UserAgentMatch.Contains, "GoogleImageProxy", Unknown, Unknown),
        new("Yahoo Mail", UserAgentMatch.Contains, "YahooMailProxy", Unknown, Unknown),
        new("Yahoo Mail", UserAgentMatch.Contains, "YahooMobileMail", "Android", "mobile"),
        new("Outlook", UserAgentMatch.Contains, "Outlook-iOS", "iOS", "mobile"),
        new("Outlook", UserAgentMatch.Contains, "Outlook-Android", "Android", "mobile"),
        new("Outlook", UserAgentMatch.Contains, "MacOutlook", "macOS", "desktop"),
        new("Outlook", UserAgentMatch.Contains, "Microsoft Outlook"),
        new("Outlook", UserAgentMatch.Contains, "Microsoft Office/"),
        new("Outlook", UserAgentMatch.Contains, "ms-office"),
        new("Outlook", UserAgentMatch.Contains, "Outlook-Express"),
        new("Thunderbird", UserAgentMatch.Contains, "Thunderbird/"),
        // Apple Mail reading: WebKit with none of a browser's tokens after it.
        new("Apple Mail", UserAgentMatch.Pattern, @"^Mozilla/5\.0 \(Macintosh;[^)]*\) AppleWebKit/[\d.]+ \(KHTML, like Gecko\)$"),
        new("Apple Mail", UserAgentMatch.Pattern, @"^Mozilla/5\.0 \((iPhone|iPad|iPod touch);[^)]*\) AppleWebKit/[\d.]+ \(KHTML, like Gecko\) Mobile/\w+$"),
        // Browsers, mostly for clicks; those built on Chrome name themselves before Chrome does.
        new("Samsung Internet", UserAgentMatch.Contains, "SamsungBrowser/"),
        // An app showing the email in Android's WebView (mail apps such as Samsung Email name themselves no further).
        new("Android WebView", UserAgentMatch.Pattern, @"; wv\)"),
        new("Edge", UserAgentMatch.Pattern, @"\b(Edg|EdgA|EdgiOS)/"),
        new("Opera", UserAgentMatch.Pattern, @"\b(OPR|OPT)/"),
        new("Firefox", UserAgentMatch.Pattern, @"\b(Firefox|FxiOS)/"),
        new("Chrome", UserAgentMatch.Pattern, @"(?<!Headless)\b(Chrome|CriOS)/"),
        new("Safari", UserAgentMatch.Pattern, @"\bVersion/[\d.]+ (Mobile/\w+ )?Safari/"),
    ];

    public static readonly MachineRule[] Machines =
    [
        new(UserAgentMatch.Exactly, "Mozilla/5.0", ApplePrivacyProxy, null),
        new(UserAgentMatch.Contains, "Edge/12.246 Mozilla/5.0", Prefetch, LinkScanner),
        // Yahoo's proxy shows a reader's images, and fetches the pages that links lead to for its own checks.
        new(UserAgentMatch.Contains, "YahooMailProxy", null, LinkScanner),
        // Programs, not people: HTTP libraries, headless browsers, crawlers and link previews.
        new(UserAgentMatch.Pattern, @"^(curl|Wget|wget2|python-requests|Python-urllib|python-httpx|aiohttp|Go-http-client|Java|okhttp|Apache-HttpClient|" +
            @"libwww-perl|node-fetch|axios|undici|Ruby|PHP|Guzzle|Dart|Scrapy)\b", Prefetch, LinkScanner),
        new(UserAgentMatch.Pattern, @"HeadlessChrome|PhantomJS|Puppeteer|Playwright|Selenium", Prefetch, LinkScanner),
        new(UserAgentMatch.Pattern, @"\b(bot|crawler|spider)\b|Googlebot|bingbot|BingPreview|facebookexternalhit|Slackbot|Twitterbot|LinkedInBot|" +
            @"WhatsApp|TelegramBot|Discordbot|SkypeUriPreview|Microsoft Office Protocol Discovery", Prefetch, LinkScanner),
        // Mail security gateways that follow links to judge them.
        new(UserAgentMatch.Pattern, @"Barracuda|Mimecast|Proofpoint|Symantec|MessageLabs|Trend ?Micro|\bTMES\b|Forcepoint|Sophos|FireEye|" +
            @"Cisco.?IronPort|CiscoSecureEmail|Fortinet|Zscaler|Check ?Point|Avanan|Vade|Hornetsecurity|SpamTitan|Cloudmark", Prefetch, LinkScanner),
    ];

    public static readonly PlatformRule[] Platforms =
    [
        new("Windows Phone", "Windows Phone", "mobile"),
        new("iPad", "iOS", "tablet"),
        new("iPhone", "iOS", "mobile"),
        new("iPod", "iOS", "mobile"),
        new("Android", "Android", "mobile"),
        new("Windows", "Windows", "desktop"),
        new("Macintosh", "macOS", "desktop"),
        new("Mac OS X", "macOS", "desktop"),
        new("Linux", "Linux", "desktop"),
    ];
}
