using System.Net;
using System.Text.Json.Nodes;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>A scanner's burst of clicks is found from the later clicks, and the earlier ones are revised with them.</summary>
[Collection(StackCollection.Name)]
public class ScannerBurstTests(TrackingStack stack)
{
    const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36";

    async Task Click(string link) => Assert.Equal(HttpStatusCode.Found, (await stack.Http.Hit(link, Chrome)).StatusCode);

    [Fact]
    public async Task Two_links_clicked_at_once_are_a_scanners_in_the_events_and_the_figures_and_a_later_click_is_a_person()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p><a href=\"https://shop.example/a\">a</a> <a href=\"https://shop.example/b\">b</a></p>");
        var links = (await client.GetEmail(id)).ClickLinks();
        // Each click looks like a person's when it comes.
        await Click(links[0]);
        await Click(links[1]);

        List<string?> verdicts = [];
        await TrackingStack.Eventually(async () =>
        {
            var page = await (await client.GetAsync($"/v1/events?email_id={id}&event_type=clicked")).Json();
            verdicts = [.. page["data"]!.AsArray().Select(e => e!["machine"]?.GetValue<string>())];
            return verdicts.Count == 2 && verdicts.All(v => v == "link_scanner");
        }, "both clicks are revised as a scanner's", seconds: 15);

        var totals = (await (await client.GetAsync("/v1/metrics?days=1")).Json())["totals"]!;
        Assert.Equal(2, totals["clicks"]!.GetValue<long>());
        Assert.Equal(1, totals["unique_clicks"]!.GetValue<long>());
        Assert.Equal(0, totals["human_clicks"]!.GetValue<long>());
        Assert.Equal(0, totals["unique_human_clicks"]!.GetValue<long>());
        Assert.Equal(2, totals["machine_clicks"]!["link_scanner"]!.GetValue<long>());
        var chrome = (await (await client.GetAsync("/v1/metrics/clients?days=1")).Json())["data"]!.AsArray().Single()!;
        Assert.Equal((2, 0), (chrome["clicks"]!.GetValue<long>(), chrome["human_clicks"]!.GetValue<long>()));

        // Seconds later the reader clicks one link: a person, and the email's first click by one.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await Click(links[0]);
        JsonNode after = null!;
        await TrackingStack.Eventually(async () =>
            (after = (await (await client.GetAsync("/v1/metrics?days=1")).Json())["totals"]!)["clicks"]!.GetValue<long>() == 3, "the third click is counted");
        Assert.Equal(1, after["human_clicks"]!.GetValue<long>());
        Assert.Equal(1, after["unique_human_clicks"]!.GetValue<long>());
        Assert.Equal(2, after["machine_clicks"]!["link_scanner"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_hidden_trap_link_is_added_when_asked_and_its_click_marks_the_same_senders_other_clicks()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var plain = await client.GetEmail(await client.SendTracked("<p><a href=\"https://shop.example/a\">a</a></p>"));
        Assert.DoesNotContain("aria-hidden", plain["html"]!.GetValue<string>());
        var id = await client.SendTracked("<html><body><p><a href=\"https://shop.example/a\">a</a></p></body></html>",
            new { trap_link = true });
        var email = await client.GetEmail(id);
        Assert.True(email["tracking"]!["trap_link"]!.GetValue<bool>());
        var html = email["html"]!.GetValue<string>();
        // Hidden, unheard by screen readers, out of the tab order.
        var trap = System.Text.RegularExpressions.Regex.Match(html, "<a href=\"([^\"]+)\" style=\"display:none\" aria-hidden=\"true\" tabindex=\"-1\"></a></body>");
        Assert.True(trap.Success, html);
        var links = email.ClickLinks();
        Assert.Equal(2, links.Count);

        // A person's click, then the same sender follows the trap (it leads to a page saying what it is).
        await Click(links[0]);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var trapped = await stack.Http.Hit(System.Net.WebUtility.HtmlDecode(trap.Groups[1].Value), Chrome);
        Assert.Equal(HttpStatusCode.Found, trapped.StatusCode);
        var page = await stack.Http.GetAsync(trapped.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        await TrackingStack.Eventually(async () =>
            (await (await client.GetAsync($"/v1/events?email_id={id}&event_type=clicked")).Json())["data"]!.AsArray()
                .Select(e => e!["machine"]?.GetValue<string>()).ToList() is [ "link_scanner", "link_scanner" ],
            "the trap click and the earlier click are a scanner's", seconds: 15);
        Assert.Equal(0, (await (await client.GetAsync("/v1/metrics?days=1")).Json())["totals"]!["human_clicks"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_projects_tracking_defaults_apply_when_a_request_does_not_say()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var defaults = await (await client.GetAsync("/v1/tracking")).Json();
        Assert.Equal((true, true, true, false), (defaults["open"]!.GetValue<bool>(), defaults["click"]!.GetValue<bool>(),
            defaults["click_text"]!.GetValue<bool>(), defaults["trap_link"]!.GetValue<bool>()));
        var changed = await (await client.PatchAsync("/v1/tracking", new StringContent("{\"trap_link\":true,\"open\":false}",
            System.Text.Encoding.UTF8, "application/json"))).Json();
        Assert.Equal((false, true), (changed["open"]!.GetValue<bool>(), changed["trap_link"]!.GetValue<bool>()));

        const string html = "<p><a href=\"https://shop.example/a\">a</a></p>";
        var byDefault = (await client.GetEmail(await client.SendTracked(html)))["html"]!.GetValue<string>();
        Assert.Contains("aria-hidden=\"true\"", byDefault);
        Assert.DoesNotContain("/v1/track/open/", byDefault);
        // What a request says wins.
        var asked = (await client.GetEmail(await client.SendTracked(html, new { open = true, trap_link = false })))["html"]!.GetValue<string>();
        Assert.DoesNotContain("aria-hidden", asked);
        Assert.Contains("/v1/track/open/", asked);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PatchAsync("/v1/tracking",
            new StringContent("{\"open\":\"sometimes\"}", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
    }
}
