using System.Net;
using System.Net.Http.Json;
using System.Text;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>A stack with no SMTP relay: what it accepts is stored, not sent, so a large broadcast costs only its storing.</summary>
public sealed class RelaylessStack : TrackingStack
{
    protected override Dictionary<string, string> SiloSettings() => new() { ["TRACKING_SMTP_HOST"] = "" };
}

public class BroadcastScaleTests(RelaylessStack stack) : IClassFixture<RelaylessStack>
{
    [Fact]
    public async Task A_10000_recipient_broadcast_of_a_100_KB_newsletter_stores_its_content_once()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        client.Timeout = TimeSpan.FromSeconds(60);
        var html = new StringBuilder("<html><body>");
        for (var i = 0; html.Length < 100_000; i++)
            html.Append("<p>Item ").Append(i).Append(": <a href=\"https://shop.example/item/").Append(i % 200).Append("\">see it</a> in our shop.</p>");
        html.Append("</body></html>");
        var recipients = Enumerable.Range(0, 10_000).Select(i => new { to = $"r{i}@example.com", tid = $"crm-{i}" }).ToArray();

        var sizeBefore = await stack.Scalar("SELECT pg_database_size(current_database())");
        var memoryBefore = stack.SiloResidentBytes();
        var response = await client.PostAsJsonAsync("/v1/broadcasts", new
        {
            from = "Acme <news@acme.example>", subject = "The big one", html = html.ToString(),
            tags = new[] { new { name = "campaign", value = "big" } }, recipients,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var memoryGrowth = stack.SiloResidentBytes() - memoryBefore;
        var created = await response.Json();
        Assert.Equal(10_000, created["recipients"]!.GetValue<int>());

        // A copy per recipient would be a gigabyte; stored once, the broadcast is its rows and its events.
        var growth = await stack.Scalar("SELECT pg_database_size(current_database())") - sizeBefore;
        Assert.True(growth < 40_000_000, $"the database grew by {growth / 1_000_000} MB");
        Assert.True(memoryGrowth < 100_000_000, $"the silo grew by {memoryGrowth / 1_000_000} MB");

        // Each recipient still reads its own copy: its pixel, its links signed for its tid.
        var last = created["emails"]![9_999]!;
        var id = last["id"]!.GetValue<string>();
        var email = await client.GetEmail(id);
        var copy = email["html"]!.GetValue<string>();
        Assert.Contains($"/v1/track/open/{id}", copy);
        Assert.Contains($"/v1/track/click/{id}?url=", copy);
        Assert.Contains("tid=crm-9999", copy);
        Assert.Equal(200, email["links"]!.AsArray().Count);
        Assert.Equal("big", email["tags"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("stored", email["status"]!.GetValue<string>());

        var link = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(copy, "href=\"([^\"]+)\"").Groups[1].Value);
        var click = await stack.Http.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.Found, click.StatusCode);
        Assert.Equal("https://shop.example/item/0", click.Headers.Location!.OriginalString);
        Assert.Equal(1, (await client.GetEmail(id))["click_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_broadcast_link_too_long_for_a_request_line_is_left_as_written_and_the_others_are_tracked()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var longLink = "https://shop.example/long?q=" + new string('x', 6000);
        var response = await client.PostAsJsonAsync("/v1/broadcasts", new
        {
            from = "a@acme.example", subject = "Long", html = $"<a href=\"{longLink}\">long</a> <a href=\"https://shop.example/short\">short</a>",
            recipients = new[] { new { to = "bob@example.com", tid = new string('\u00e9', 256) } },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await response.Json())["emails"]![0]!["id"]!.GetValue<string>();
        var copy = (await client.GetEmail(id))["html"]!.GetValue<string>();
        Assert.Contains($"href=\"{longLink}\"", copy);

        var tracked = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(copy, "href=\"([^\"]*/v1/track/click/[^\"]+)\"").Groups[1].Value);
        var click = await stack.Http.GetAsync(new Uri(tracked).PathAndQuery);
        Assert.Equal(HttpStatusCode.Found, click.StatusCode);
        Assert.Equal("https://shop.example/short", click.Headers.Location!.OriginalString);
    }
}
