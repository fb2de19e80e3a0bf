using Tracking.Contracts;
using Tracking.Grains.Classification;

namespace Tracking.Tests.Unit;

/// <summary>
/// The classifier against real user agents, each with where it was published. Sources:
/// UAP: ua-parser/uap-core, tests/test_ua.yaml (a corpus of user agents seen in the wild);
/// MDN: developer.mozilla.org, HTTP reference, "User-Agent" header (its examples);
/// SPARKPOST: sparkpost.com/blog/gmail-prefetching-images (Gmail's prefetch, Jan 2022);
/// BIRD: bird.com/en-nl/blog/4-insights-on-ios-15-mail-privacy-protection (Apple's proxy sends "Mozilla/5.0");
/// KUNZ: alexkunz.wordpress.com/2020/07/14/gmail-runs-on-windows-xp (Gmail's image proxy);
/// YAHOO: help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html, as quoted by botcrawl.com/bots/yahoomailproxy;
/// CHROME: developer.chrome.com, "User-Agent strings" (Chrome for Android and WebView on Android);
/// GUIDE: check.live-direct-marketing.online/blog/bot-clicks-security-scanners-detect (which token each mail
/// security gateway's scanner leaves in its user agent; it gives the tokens, not whole strings).
/// </summary>
public class EventClassifierTests
{
    const string O = EventTypes.Opened, C = EventTypes.Clicked;
    const string Apple = MachineReasons.ApplePrivacyProxy, Prefetch = MachineReasons.Prefetch, Scanner = MachineReasons.LinkScanner;

    public sealed record Case(string Type, string? Agent, string Name, string Os, string Device, string? Machine, bool Head = false, string? Ip = null)
    {
        public override string ToString() => $"{Type} {Agent ?? "(none)"}{(Head ? " HEAD" : "")}";
    }

    static readonly Case[] All =
    [
        // BIRD: Apple Mail Privacy Protection's fetch.
        new(O, "Mozilla/5.0", "Apple Mail", "unknown", "unknown", Apple),
        // BIRD: the same user agent on a click is no verdict of Apple's proxy, which only fetches images.
        new(C, "Mozilla/5.0", "Apple Mail", "unknown", "unknown", null),
        // SPARKPOST: Gmail's prefetch.
        new(O, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Mozilla/5.0",
            "Gmail", "unknown", "unknown", Prefetch),
        new(C, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Mozilla/5.0",
            "Gmail", "unknown", "unknown", Scanner),
        // KUNZ: Gmail's image proxy, fetching for a person reading (its platform is not the reader's).
        new(O, "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", "Gmail", "unknown", "unknown", null),
        // UAP
        new(O, "Firefox/11.0 (via ggpht.com GoogleImageProxy)", "Gmail", "unknown", "unknown", null),
        // YAHOO: an image for a reader, a link for Yahoo's own check.
        new(O, "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", "Yahoo Mail", "unknown", "unknown", null),
        new(C, "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", "Yahoo Mail", "unknown", "unknown", Scanner),
        // UAP
        new(O, "YahooMobileMail/1.0 (Android Mail; 1.3.10) (supersonic;HTC;PC36100;2.3.5/GRJ90)", "Yahoo Mail", "Android", "mobile", null),
        // UAP: Outlook on Windows, over the years.
        new(O, "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.6326; Pro)", "Outlook", "Windows", "desktop", null),
        new(O, "Microsoft Office/14.0 (Windows NT 6.1; Microsoft Outlook 14.0.5128; Pro)", "Outlook", "Windows", "desktop", null),
        new(O, "Microsoft Office/12.0 (Windows NT 6.1; Microsoft Office Outlook 12.0.6739; Pro)", "Outlook", "Windows", "desktop", null),
        new(O, "Microsoft Office/16.0 (Microsoft Outlook Mail 16.0.6525; Pro)", "Outlook", "unknown", "unknown", null),
        new(O, "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; WOW64; Trident/8.0; .NET4.0C; .NET4.0E; .NET CLR 2.0.50727; .NET CLR 3.0.30729; .NET CLR 3.5.30729; Microsoft Outlook 16.0.6366; ms-office; MSOffice 16)",
            "Outlook", "Windows", "desktop", null),
        new(O, "Mozilla/4.0 (compatible; ms-office; MSOffice 16)", "Outlook", "unknown", "unknown", null),
        new(O, "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; Trident/6.0; Microsoft Outlook 15.0.4420)", "Outlook", "Windows", "desktop", null),
        new(O, "Outlook-Express/7.0 (MSIE 7.0; Windows NT 6.1; Trident/4.0; SLCC2; .NET CLR 2.0.50727; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0; TmstmpExt)",
            "Outlook", "Windows", "desktop", null),
        // UAP: Outlook on a Mac, and on a phone.
        new(O, "MacOutlook/15.27.0.161010 (Intelx64 Mac OS X Version 10.11.6 (Build 15G1108))", "Outlook", "macOS", "desktop", null),
        new(O, "Mozilla/5.0 (iPhone; CPU iPhone OS 9_3_4 like Mac OS X) AppleWebKit/601.1 (KHTML, like Gecko) Outlook-iOS-Android/1.0 Mobile/13G35 Safari/601.1.46",
            "Outlook", "iOS", "mobile", null),
        // UAP: Thunderbird.
        new(O, "Mozilla/5.0 (X11; Linux x86_64; rv:24.0) Gecko/20100101 Thunderbird/24.2.0", "Thunderbird", "Linux", "desktop", null),
        new(O, "Mozilla/5.0 (Windows NT 6.1; rv:45.0) Gecko/20100101 Thunderbird/45.0", "Thunderbird", "Windows", "desktop", null),
        new(O, "Mozilla/5.0 (X11; Linux x86_64; rv:24.0) Gecko/20100101 Thunderbird/24.2.0 Lightning/2.6.4", "Thunderbird", "Linux", "desktop", null),
        new(O, "Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.2.17) Gecko/20110414 Lightning/1.0b3pre Thunderbird/3.1.10", "Thunderbird", "Windows", "desktop", null),
        // UAP: Apple Mail reading on iOS (WebKit with no browser's tokens after it).
        new(O, "Mozilla/5.0 (iPhone; CPU iPhone OS 12_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", "Apple Mail", "iOS", "mobile", null),
        new(O, "Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Mobile/11D257", "Apple Mail", "iOS", "mobile", null),
        new(O, "Mozilla/5.0 (iPod touch; CPU iPhone OS 9_3_2 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Mobile/13F69", "Apple Mail", "iOS", "mobile", null),
        // MDN (Safari's example), without its Version and Safari tokens, as Apple Mail on a Mac sends it.
        new(O, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)", "Apple Mail", "macOS", "desktop", null),
        // UAP: Safari, which is not Apple Mail.
        new(C, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Safari/605.1.15", "Safari", "macOS", "desktop", null),
        // MDN: Safari on an iPhone.
        new(C, "Mozilla/5.0 (iPhone; CPU iPhone OS 13_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Mobile/15E148 Safari/604.1",
            "Safari", "iOS", "mobile", null),
        // UAP: Safari on an old iPad.
        new(C, "Mozilla/5.0 (iPad; U; CPU OS 3_2 like Mac OS X; en-us) AppleWebKit/531.21.10 (KHTML, like Gecko) Version/4.0.4 Mobile/7B367 Safari/531.21.10",
            "Safari", "iOS", "tablet", null),
        // MDN: Chrome.
        new(C, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36", "Chrome", "Linux", "desktop", null),
        // UAP: Chrome on a Mac.
        new(C, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.78 Safari/537.36", "Chrome", "macOS", "desktop", null),
        // MDN: Chrome on Android.
        new(C, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", "Chrome", "Android", "mobile", null),
        // CHROME: an app's WebView on Android (how Android mail apps such as Samsung Email show an email).
        new(O, "Mozilla/5.0 (Linux; Android 5.1.1; Nexus 5 Build/LMY48B; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/43.0.2357.65 Mobile Safari/537.36",
            "Android WebView", "Android", "mobile", null),
        // CHROME: Chrome on an Android phone.
        new(C, "Mozilla/5.0 (Linux; Android 4.0.4; Galaxy Nexus Build/IMM76B) AppleWebKit/535.19 (KHTML, like Gecko) Chrome/18.0.1025.133 Mobile Safari/535.19",
            "Chrome", "Android", "mobile", null),
        // MDN: Firefox.
        new(C, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:47.0) Gecko/20100101 Firefox/47.0", "Firefox", "Windows", "desktop", null),
        new(C, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:42.0) Gecko/20100101 Firefox/42.0", "Firefox", "macOS", "desktop", null),
        // UAP: Firefox on an Android tablet and a phone.
        new(C, "Mozilla/5.0 (Android 5.0; Tablet; rv:41.0) Gecko/41.0 Firefox/41.0", "Firefox", "Android", "tablet", null),
        new(C, "Mozilla/5.0 (Mobile; rv:15.0) Gecko/15.0 Firefox/15.0", "Firefox", "unknown", "unknown", null),
        // MDN: Edge.
        new(C, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36 Edg/91.0.864.59",
            "Edge", "Windows", "desktop", null),
        // UAP: Edge on iOS.
        new(C, "Mozilla/5.0 (iPhone; CPU iPhone OS 12_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.1 EdgiOS/44.5.0.10 Mobile/15E148 Safari/604.1",
            "Edge", "iOS", "mobile", null),
        // MDN: Opera.
        new(C, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.106 Safari/537.36 OPR/38.0.2220.41",
            "Opera", "Windows", "desktop", null),
        // UAP: Samsung Internet on a phone and a tablet.
        new(C, "Mozilla/5.0 (Linux; Android 5.1.1; SAMSUNG SM-G920F Build/LMY47X) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/3.2 Chrome/38.0.2125.102 Mobile Safari/537.36",
            "Samsung Internet", "Android", "mobile", null),
        new(C, "Mozilla/5.0 (Linux; Android 5.0.2; SAMSUNG SM-T800 Build/LRX22G) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/3.0 Chrome/38.0.2125.102 Safari/537.36",
            "Samsung Internet", "Android", "tablet", null),
        // UAP: HTTP libraries: machines on a click and on an open.
        new(C, "curl/7.29.0", "unknown", "unknown", "unknown", Scanner),
        new(O, "curl/7.29.0", "unknown", "unknown", "unknown", Prefetch),
        new(C, "Wget/1.14 (linux-gnu)", "unknown", "unknown", "unknown", Scanner),
        new(C, "wget2/1.99.2", "unknown", "unknown", "unknown", Scanner),
        new(C, "python-requests/0.14 CPython/2.6 Linux/2.6-43-server", "unknown", "Linux", "desktop", Scanner),
        new(C, "Python-urllib/3.4", "unknown", "unknown", "unknown", Scanner),
        new(O, "Python-urllib/3.4", "unknown", "unknown", "unknown", Prefetch),
        new(C, "Java/1.8.0_25", "unknown", "unknown", "unknown", Scanner),
        new(C, "Java/17.0.6", "unknown", "unknown", "unknown", Scanner),
        new(C, "okhttp/3.4.2", "unknown", "unknown", "unknown", Scanner),
        // UAP: headless browsers.
        new(C, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_1) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/62.0.3202.89 Safari/537.36",
            "unknown", "macOS", "desktop", Scanner),
        new(C, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/59.0.3071.109 HeadlessChrome/59.0.3071.109 Safari/537.36",
            "unknown", "Linux", "desktop", Scanner),
        // UAP: crawlers and link previews.
        new(C, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "unknown", "unknown", "unknown", Scanner),
        new(C, "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "unknown", "unknown", "unknown", Scanner),
        new(C, "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534  (KHTML, like Gecko) BingPreview/1.0b", "unknown", "Windows", "desktop", Scanner),
        new(O, "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534  (KHTML, like Gecko) BingPreview/1.0b", "unknown", "Windows", "desktop", Prefetch),
        new(C, "Mozilla/5.0 (compatible; Windows NT 6.1; Catchpoint bot) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/43.0.2357.81 Safari/537.36",
            "Chrome", "Windows", "desktop", Scanner),
        // GUIDE: security gateways' scanners, by the token each leaves.
        new(C, "Mozilla/5.0 (compatible; Barracuda Link Protection)", "unknown", "unknown", "unknown", Scanner),
        new(C, "Mozilla/5.0 (compatible; proofpoint URL Defense)", "unknown", "unknown", "unknown", Scanner),
        new(C, "CiscoSecureEmail/1.0", "unknown", "unknown", "unknown", Scanner),
        new(C, "Mozilla/5.0 (compatible; TMES)", "unknown", "unknown", "unknown", Scanner),
        // UAP: a phone's system named by its own token, and a Mac's mail sync naming only Mac OS X.
        new(O, "Mozilla/4.0 (compatible; MSIE 7.0; Windows Phone OS 7.0; Trident/3.1; IEMobile/7.0; SAMSUNG; SGH-i917)", "unknown", "Windows Phone", "mobile", null),
        new(O, "Mac OS X/10.11.6 (15G1004); ExchangeWebServices/6.0 (243); Mail/9.3 (3124)", "unknown", "macOS", "desktop", null),
        // MDN (curl's example): a HEAD request, whatever the agent, is a scanner asking about a link.
        new(C, "curl/7.64.1", "unknown", "unknown", "unknown", Scanner, Head: true),
        // MDN (Chrome's example), with HEAD: no person's browser follows a link that way.
        new(C, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36", "Chrome", "Linux", "desktop", Scanner, Head: true),
        // No user agent at all: no person's client sends none.
        new(O, null, "unknown", "unknown", "unknown", Prefetch),
        new(C, "", "unknown", "unknown", "unknown", Scanner),
        new(C, "   ", "unknown", "unknown", "unknown", Scanner),
        // Made up: what no rule knows is unknown, and a person.
        new(O, "SomeMailApp/2.0", "unknown", "unknown", "unknown", null),
    ];

    public static TheoryData<Case> Cases => new(All);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_user_agent_gets_its_client_and_verdict(Case c)
    {
        var verdict = new EventClassifier(new AppleRelayRanges()).Classify(c.Type, c.Agent, c.Ip, c.Head);
        Assert.Equal(new EventClient(c.Name, c.Os, c.Device), verdict.Client);
        Assert.Equal(c.Machine, verdict.Machine);
    }

    // The ranges' format: Apple's egress-ip-ranges.csv (mask.icloud.com, linked from developer.apple.com's
    // "Prepare your network or web server for iCloud Private Relay"): a range, country, region, city, postal code.
    static readonly string[] RelayCsv =
    [
        "172.224.224.0/27,GB,GB-EN,London,",
        "172.224.224.32/27,GB,GB-EN,London,",
        "2a02:26f7:b3c0:4000::/64,GB,GB-EN,London,",
        "not a range,XX,,,",
    ];

    [Theory]
    // Inside the first range, at its ends, and in the merged second one.
    [InlineData("172.224.224.0", true)]
    [InlineData("172.224.224.31", true)]
    [InlineData("172.224.224.63", true)]
    [InlineData("2a02:26f7:b3c0:4000::1", true)]
    [InlineData("2a02:26f7:b3c0:4000:ffff:ffff:ffff:ffff", true)]
    // IPv4 written as IPv4-mapped IPv6 is the same address.
    [InlineData("::ffff:172.224.224.5", true)]
    // Just outside, elsewhere, not an address, none.
    [InlineData("172.224.224.64", false)]
    [InlineData("172.224.223.255", false)]
    [InlineData("2a02:26f7:b3c0:4001::1", false)]
    [InlineData("203.0.113.9", false)]
    [InlineData("not-an-ip", false)]
    [InlineData(null, false)]
    public void Apples_ranges_confirm_its_proxy_and_only_their_addresses_do(string? ip, bool apple)
    {
        var ranges = new AppleRelayRanges(RelayCsv);
        Assert.Equal(apple, ranges.Contains(ip));
        var verdict = new EventClassifier(ranges).Classify(EventTypes.Opened, "Mozilla/5.0", ip);
        // With the ranges known, "Mozilla/5.0" from elsewhere is still no person's client: a prefetch.
        Assert.Equal(apple ? MachineReasons.ApplePrivacyProxy : MachineReasons.Prefetch, verdict.Machine);
    }

    [Fact]
    public void Every_rule_is_met_by_a_case_of_the_table()
    {
        var agents = All.Where(c => c.Agent is not null).Select(c => c.Agent!).ToList();
        var classifier = new EventClassifier(new AppleRelayRanges());
        foreach (var rule in UserAgentRules.Clients.DistinctBy(r => r.Name))
            Assert.Contains(agents, a => classifier.Classify(EventTypes.Opened, a, null).Client.Name == rule.Name);
        Assert.True(All.Length >= 60, $"{All.Length} cases");
        // Each machine rule and each platform token too.
        foreach (var rule in UserAgentRules.Machines)
            Assert.Contains(agents, a => rule.How switch
            {
                UserAgentMatch.Exactly => a.Equals(rule.Text, StringComparison.OrdinalIgnoreCase),
                UserAgentMatch.Contains => a.Contains(rule.Text, StringComparison.OrdinalIgnoreCase),
                _ => System.Text.RegularExpressions.Regex.IsMatch(a, rule.Text, System.Text.RegularExpressions.RegexOptions.IgnoreCase),
            });
        foreach (var platform in UserAgentRules.Platforms)
            Assert.Contains(All, c => c.Agent is not null && c.Agent.Contains(platform.Token, StringComparison.Ordinal) && c.Os == platform.Os);
    }
}
