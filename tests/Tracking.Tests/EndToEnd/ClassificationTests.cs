using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>Each open and click is classified when it is recorded; the Events API, the live stream and webhooks carry it.</summary>
[Collection(StackCollection.Name)]
public class ClassificationTests(TrackingStack stack)
{
    const string Outlook = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.6326; Pro)";
    const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36";

    static (string Name, string Os, string Device, string? Machine) Verdict(JsonNode e) =>
        (e["client"]!["name"]!.GetValue<string>(), e["client"]!["os"]!.GetValue<string>(), e["client"]!["device"]!.GetValue<string>(),
            e["machine"]?.GetValue<string>());

    [Fact]
    public async Task Opens_and_clicks_carry_their_client_and_whether_a_machine_made_them()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var path = "classified/" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/webhooks",
            new { url = stack.Receiver.Url(path), events = new[] { "email.opened", "email.clicked" } })).StatusCode);
        // An endpoint may leave machines out.
        var peoplePath = "people/" + Guid.NewGuid().ToString("N");
        var people = await (await client.PostAsJsonAsync("/v1/webhooks",
            new { url = stack.Receiver.Url(peoplePath), events = new[] { "email.opened", "email.clicked" }, include_machine = false })).Json();
        Assert.False(people["include_machine"]!.GetValue<bool>());
        var id = await client.SendTracked("<p><a href=\"https://shop.example/a\">a</a></p>");
        var link = (await client.GetEmail(id)).ClickLinks()[0];

        await stack.Http.Hit($"/v1/track/open/{id}", "Mozilla/5.0");
        await stack.Http.Hit($"/v1/track/open/{id}", Outlook);
        // A scanner asks about the link with HEAD: it is redirected like anyone, and marked.
        var head = await stack.Http.Hit(link, Chrome, HttpMethod.Head);
        Assert.Equal(HttpStatusCode.Found, head.StatusCode);
        Assert.Equal("https://shop.example/a", head.Headers.Location!.ToString());
        await stack.Http.Hit(link, Chrome);

        var opens = (await client.EventsOf(id, 2, "opened")).Select(Verdict).ToList();
        Assert.Contains(("Apple Mail", "unknown", "unknown", "apple_privacy_proxy"), opens);
        Assert.Contains(("Outlook", "Windows", "desktop", (string?)null), opens);
        var clicks = (await client.EventsOf(id, 2, "clicked")).Select(Verdict).ToList();
        Assert.Contains(("Chrome", "Linux", "desktop", "link_scanner"), clicks);
        Assert.Contains(("Chrome", "Linux", "desktop", (string?)null), clicks);
        // Events that are neither opens nor clicks have neither.
        var sent = (await client.EventsOf(id, 1, "sent")).Single();
        Assert.Null(sent["client"]);
        Assert.Null(sent["machine"]);

        // Webhooks say the same, with machine null (not left out) for a person.
        List<JsonNode> payloads = [];
        await TrackingStack.Eventually(() => Task.FromResult((payloads = [.. stack.Receiver.At(path).Select(w => JsonNode.Parse(w.Body)!)]).Count >= 4),
            "four webhooks");
        var data = payloads.Select(p => p["data"]!).ToList();
        Assert.Contains(data, d => d["machine"]?.GetValue<string>() == "apple_privacy_proxy" && d["client"]!["name"]!.GetValue<string>() == "Apple Mail");
        Assert.Contains(data, d => d["machine"]?.GetValue<string>() == "link_scanner");
        Assert.Equal(2, data.Count(d => d.AsObject().ContainsKey("machine") && d["machine"] is null));
        // The endpoint without machines has the two people's events, and no other comes.
        await TrackingStack.Eventually(() => Task.FromResult(stack.Receiver.At(peoplePath).Count >= 2), "people's webhooks");
        await TrackingStack.Never(() => Task.FromResult(stack.Receiver.At(peoplePath).Count > 2), TimeSpan.FromSeconds(3), "a machine's webhook");
        Assert.All(stack.Receiver.At(peoplePath), w => Assert.Null(JsonNode.Parse(w.Body)!["data"]!["machine"]));

        // By client: opens and clicks, and how many were people's, as the events have them.
        var clients = (await (await client.GetAsync("/v1/metrics/clients?days=1")).Json())["data"]!.AsArray()
            .Select(c => (c!["name"]!.GetValue<string>(), c["os"]!.GetValue<string>(), c["device"]!.GetValue<string>(),
                c["opens"]!.GetValue<long>(), c["human_opens"]!.GetValue<long>(), c["clicks"]!.GetValue<long>(), c["human_clicks"]!.GetValue<long>()))
            .ToList();
        Assert.Equal(
            [("Chrome", "Linux", "desktop", 0L, 0L, 2L, 1L), ("Apple Mail", "unknown", "unknown", 1L, 0L, 0L, 0L), ("Outlook", "Windows", "desktop", 1L, 1L, 0L, 0L)],
            clients.OrderBy(c => c.Item1 == "Chrome" ? 0 : 1).ThenBy(c => c.Item1));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.GetAsync("/v1/metrics/clients?days=0")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.GetAsync("/v1/metrics?exclude_machine=maybe")).StatusCode);
    }
}
