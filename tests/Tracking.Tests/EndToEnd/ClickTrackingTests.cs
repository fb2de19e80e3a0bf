using System.Net;
using System.Text;
using Tracking.Tests.Infrastructure;
using Tracking.Contracts;

namespace Tracking.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public class ClickTrackingTests(TrackingStack stack)
{
    [Fact]
    public async Task A_click_redirects_to_the_original_url_and_is_recorded()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked(
            "<a href=\"https://shop.example/item?id=7&amp;ref=mail#reviews\">Item</a><a href=\"https://shop.example/other\">Other</a>");
        var links = (await client.GetEmail(id)).ClickLinks();
        Assert.Equal(2, links.Count);

        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(links[0]).PathAndQuery);
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (Clicker)");
        request.Headers.Referrer = new Uri("https://webmail.example/inbox");
        var response = await stack.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("https://shop.example/item?id=7&ref=mail#reviews", response.Headers.Location!.OriginalString);
        var email = await client.GetEmail(id);
        Assert.Equal(1, email["click_count"]!.GetValue<int>());
        Assert.NotNull(email["clicked_at"]);
        Assert.Equal(1, email["links"]![0]!["click_count"]!.GetValue<int>());
        Assert.Equal(0, email["links"]![1]!["click_count"]!.GetValue<int>());
        Assert.Equal(1, await stack.Scalar(
            "SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'clicked' AND link = $2 AND user_agent = $3 AND referer = $4",
            Guid.Parse(id), "https://shop.example/item?id=7&ref=mail#reviews", "Mozilla/5.0 (Clicker)", "https://webmail.example/inbox"));
    }

    [Fact]
    public async Task Concurrent_opens_and_clicks_authentic_or_not_each_get_their_own_answer()
    {
        // Requests that arrive together share a grain call and an insert: each must still get its own outcome.
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<a href=\"https://shop.example/a\">a</a><a href=\"https://shop.example/b\">b</a>");
        var links = (await client.GetEmail(id)).ClickLinks().Select(l => new Uri(l).PathAndQuery).ToList();
        var tampered = links[0][..^1] + (links[0][^1] == 'A' ? 'B' : 'A');
        var unknown = Guid.NewGuid();
        var requests = Enumerable.Range(0, 15).SelectMany(_ => new[]
        {
            (Path: links[0], Status: HttpStatusCode.Found, Location: "https://shop.example/a"),
            (Path: links[1], Status: HttpStatusCode.Found, Location: "https://shop.example/b"),
            (Path: tampered, Status: HttpStatusCode.NotFound, Location: (string?)null),
            (Path: $"/v1/track/open/{id}", Status: HttpStatusCode.OK, Location: null),
            (Path: $"/v1/track/open/{unknown}", Status: HttpStatusCode.OK, Location: null),
        }).ToList();

        var responses = await Task.WhenAll(requests.Select(r => stack.Http.GetAsync(r.Path)));

        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(requests[i].Status, responses[i].StatusCode);
            Assert.Equal(requests[i].Location, responses[i].Headers.Location?.OriginalString);
        }
        var emailId = Guid.Parse(id);
        Assert.Equal(15, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'clicked' AND link = $2", emailId, "https://shop.example/a"));
        Assert.Equal(15, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'clicked' AND link = $2", emailId, "https://shop.example/b"));
        Assert.Equal(15, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened'", emailId));
        Assert.Equal(0, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1", unknown));
    }

    [Fact]
    public async Task A_tampered_click_id_never_redirects_and_records_nothing()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<a href=\"https://shop.example/\">x</a>");
        var path = new Uri((await client.GetEmail(id)).ClickLinks()[0]).AbsolutePath;
        var trackingId = path[(path.LastIndexOf('/') + 1)..];

        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (var i = 0; i < trackingId.Length; i++)
        {
            var replacement = alphabet[(alphabet.IndexOf(trackingId[i]) + 1) % alphabet.Length];
            var tampered = trackingId[..i] + replacement + trackingId[(i + 1)..];
            var response = await stack.Http.GetAsync($"/v1/track/click/{tampered}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }
        Assert.Equal(0, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type IN ('opened', 'clicked')", Guid.Parse(id)));
    }

    [Fact]
    public async Task A_forged_click_for_a_real_email_never_redirects()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = Guid.Parse(await client.SendTracked("<a href=\"https://shop.example/\">x</a>"));
        var forged = new ClickLink(id, 0, new byte[ClickLink.MacLength]).Format();
        var response = await stack.Http.GetAsync($"/v1/track/click/{forged}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task A_signed_click_for_a_link_or_email_that_does_not_exist_never_redirects_and_records_nothing()
    {
        // Signed with the server's own key: what only a leaked key or a bug could produce. The email's row
        // is what decides, in the same statement that records the click.
        var signature = await stack.Signature();
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = Guid.Parse(await client.SendTracked("<a href=\"https://shop.example/\">x</a>"));
        var unknown = Guid.NewGuid();

        foreach (var path in new[]
                 {
                     $"/v1/track/click/{signature.ClickTrackingId(id, 1)}",
                     $"/v1/track/click/{signature.ClickTrackingId(unknown, 0)}",
                     $"/v1/track/click/{unknown}?url={Uri.EscapeDataString("https://shop.example/")}&tid=t&sig={signature.BroadcastSignature(unknown, "https://shop.example/", "t")}",
                 })
        {
            var response = await stack.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }
        Assert.Equal(0, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id IN ($1, $2) AND type = 'clicked'", id, unknown));
        // The real link still works.
        Assert.Equal(HttpStatusCode.Found, (await stack.Http.GetAsync($"/v1/track/click/{signature.ClickTrackingId(id, 0)}")).StatusCode);
    }

    [Fact]
    public async Task A_broadcast_link_redirects_only_when_its_signature_verifies()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = Guid.Parse(await client.SendTracked("<p>broadcast</p>"));
        var signature = await stack.Signature();
        const string url = "https://shop.example/deal?x=1&y=2", tid = "subscriber-9";
        var sig = signature.BroadcastSignature(id, url, tid);
        string Link(string u, string t, string s) =>
            $"/v1/track/click/{id}?url={Uri.EscapeDataString(u)}&tid={Uri.EscapeDataString(t)}&sig={s}";

        var ok = await stack.Http.GetAsync(Link(url, tid, sig));
        Assert.Equal(HttpStatusCode.Found, ok.StatusCode);
        Assert.Equal(url, ok.Headers.Location!.OriginalString);
        Assert.Equal(1, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND link = $2", id, url));

        foreach (var bad in new[]
        {
            Link("https://evil.example/", tid, sig),
            Link(url, "subscriber-10", sig),
            // A changed first character: replacing the last two with "AA" left 1 signature in 256 as it was.
            Link(url, tid, (sig[0] == 'A' ? "B" : "A") + sig[1..]),
            Link(url, tid, ""),
            $"/v1/track/click/{id}?url={Uri.EscapeDataString(url)}&sig={sig}",
            $"/v1/track/click/{id}?url={Uri.EscapeDataString(url)}&url=https%3A%2F%2Fevil.example&tid={tid}&sig={sig}",
            $"/v1/track/click/{Guid.NewGuid()}?url={Uri.EscapeDataString(url)}&tid={tid}&sig={sig}",
        })
        {
            var response = await stack.Http.GetAsync(bad);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }
        Assert.Equal(1, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type IN ('opened', 'clicked')", id));
    }

    [Fact]
    public async Task A_signed_broadcast_link_to_a_non_http_url_never_redirects()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = Guid.Parse(await client.SendTracked("<p>x</p>"));
        var signature = await stack.Signature();
        foreach (var url in new[] { "javascript:alert(1)", "data:text/html,hi", "//evil.example/", "/relative" })
        {
            var sig = signature.BroadcastSignature(id, url, "t");
            var response = await stack.Http.GetAsync($"/v1/track/click/{id}?url={Uri.EscapeDataString(url)}&tid=t&sig={sig}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }
    }

    public static TheoryData<string> StrangerPaths()
    {
        var data = new TheoryData<string>
        {
            "/v1/track/click/", "/v1/track/click/x", "/v1/track/click/../../etc/passwd",
            "/v1/track/click/" + new string('A', 46), "/v1/track/click/" + new string('A', 5000),
            "/v1/track/click/%E2%98%83%F0%9F%92%A9", "/v1/track/click/abc?url=https%3A%2F%2Fevil.example",
            "/v1/track/click/abc?url=https%3A%2F%2Fevil.example&tid=1&sig=x",
            "/v1/track/click/00000000-0000-0000-0000-000000000000?url=https%3A%2F%2Fevil.example&tid=1&sig=x",
            "/v1/track/click/x?url=&tid=&sig=", "/v1/track/click/x?url=%zz",
        };
        var random = new Random(42);
        for (var i = 0; i < 30; i++)
        {
            var bytes = new byte[random.Next(1, 80)];
            random.NextBytes(bytes);
            bytes = bytes.Select(b => b == 0 ? (byte)1 : b).ToArray(); // a NUL is refused by Kestrel itself
            data.Add("/v1/track/click/" + Uri.EscapeDataString(Encoding.Latin1.GetString(bytes)) + "?url=" + Uri.EscapeDataString(Convert.ToBase64String(bytes)));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StrangerPaths))]
    public async Task Whatever_a_stranger_sends_to_the_click_endpoint_is_a_404_without_redirect(string path)
    {
        var response = await stack.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Links_of_an_email_with_click_tracking_off_are_left_alone()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<a href=\"https://shop.example/\">x</a>", tracking: new { click = false });
        var email = await client.GetEmail(id);
        Assert.Empty(email.ClickLinks());
        Assert.Contains("<a href=\"https://shop.example/\">x</a>", email["html"]!.GetValue<string>());
    }
}
