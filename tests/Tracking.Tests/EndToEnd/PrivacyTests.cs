using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>/v1/privacy: what a project keeps of each open and click, decided after the event is classified.</summary>
[Collection(StackCollection.Name)]
public class PrivacyTests(TrackingStack stack)
{
    async Task Open(string id) => await stack.Http.Hit($"/v1/track/open/{id}", "Mozilla/5.0");

    async Task Click(string link) =>
        await stack.Http.Hit(link, "Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0", HttpMethod.Head, "https://mail.example/inbox");

    [Fact]
    public async Task A_project_keeps_the_address_in_full_truncated_or_not_at_all_and_may_drop_agent_and_referer_after_classifying()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var settings = await (await client.GetAsync("/v1/privacy")).Json();
        Assert.Equal(("truncated", true, true), (settings["ip_storage"]!.GetValue<string>(), settings["keep_user_agent"]!.GetValue<bool>(),
            settings["keep_referer"]!.GetValue<bool>()));
        const string html = "<p><a href=\"https://shop.example/a\">a</a></p>";

        // The default: the network of the address, and everything else.
        var first = await client.SendTracked(html);
        await Open(first);
        Assert.Equal("127.0.0.0", (await client.EventsOf(first, 1, "opened", "clicked")).Single()["ip_address"]!.GetValue<string>());

        var full = await (await client.PatchAsJsonAsync("/v1/privacy", new { ip_storage = "full" })).Json();
        Assert.Equal("full", full["ip_storage"]!.GetValue<string>());
        var second = await client.SendTracked(html);
        await Open(second);
        Assert.Equal("127.0.0.1", (await client.EventsOf(second, 1, "opened", "clicked")).Single()["ip_address"]!.GetValue<string>());

        // Nothing of the address, agent or referer: the verdicts made from them stay.
        var none = await (await client.PatchAsJsonAsync("/v1/privacy", new { ip_storage = "none", keep_user_agent = false, keep_referer = false })).Json();
        Assert.Equal(("none", false, false), (none["ip_storage"]!.GetValue<string>(), none["keep_user_agent"]!.GetValue<bool>(), none["keep_referer"]!.GetValue<bool>()));
        var third = await client.SendTracked(html);
        await Open(third);
        await Click((await client.GetEmail(third)).ClickLinks()[0]);
        var events = await client.EventsOf(third, 2, "opened", "clicked");
        Assert.All(events, e => Assert.True(e["ip_address"] is null && e["user_agent"] is null && e["referer"] is null, e.ToJsonString()));
        var open = events.Single(e => e["type"]!.GetValue<string>() == "opened");
        Assert.Equal(("Apple Mail", "apple_privacy_proxy"), (open["client"]!["name"]!.GetValue<string>(), open["machine"]!.GetValue<string>()));
        var click = events.Single(e => e["type"]!.GetValue<string>() == "clicked");
        Assert.Equal(("Firefox", "link_scanner"), (click["client"]!["name"]!.GetValue<string>(), click["machine"]!.GetValue<string>()));
        // What was kept before stays as it was.
        Assert.Equal("127.0.0.1", (await client.EventsOf(second, 1, "opened", "clicked")).Single()["ip_address"]!.GetValue<string>());

        // Another project keeps its own default.
        using var other = stack.ClientFor(await stack.CreateProject());
        Assert.Equal("truncated", (await (await other.GetAsync("/v1/privacy")).Json())["ip_storage"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"ip_storage\":\"some\"}", "ip_storage")]
    [InlineData("{\"keep_referer\":\"yes\"}", "keep_referer")]
    public async Task A_setting_it_cannot_take_is_a_422_and_changes_nothing(string body, string field)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PatchAsync("/v1/privacy", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]![field]);
        Assert.Equal("truncated", (await (await client.GetAsync("/v1/privacy")).Json())["ip_storage"]!.GetValue<string>());
    }
}
