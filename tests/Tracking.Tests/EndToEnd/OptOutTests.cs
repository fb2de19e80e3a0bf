using System.Net;
using System.Net.Http.Json;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>/v1/tracking-opt-outs: a recipient who opted out gets emails with no pixel and no tracked link.</summary>
[Collection(StackCollection.Name)]
public class OptOutTests(TrackingStack stack)
{
    [Fact]
    public async Task An_opted_out_recipient_is_never_tracked_whatever_the_request_says_until_removed()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var added = await client.PostAsJsonAsync("/v1/tracking-opt-outs", new { email = "Carol <Carol@Example.com>" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("carol@example.com", (await added.Json())["email"]!.GetValue<string>());
        // Again: no change, the same answer.
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/tracking-opt-outs", new { email = "carol@example.com" })).StatusCode);
        var list = await (await client.GetAsync("/v1/tracking-opt-outs")).Json();
        Assert.Equal(["carol@example.com"], list["data"]!.AsArray().Select(o => o!["email"]!.GetValue<string>()));

        const string html = "<p><a href=\"https://shop.example/sale\">Sale</a></p>";
        // To her (as cc), with tracking asked for: no pixel, no tracked link.
        var send = await client.SendEmail(new { from = "a@acme.example", to = "bob@example.com", cc = "carol@EXAMPLE.com", subject = "s", html,
            tracking = new { open = true, click = true } });
        var untracked = await client.GetEmail((await send.Json())["id"]!.GetValue<string>());
        Assert.DoesNotContain("/v1/track/", untracked["html"]!.GetValue<string>());
        Assert.Contains("https://shop.example/sale", untracked["html"]!.GetValue<string>());
        Assert.False(untracked["tracking"]!["open"]!.GetValue<bool>());
        // A broadcast: her copy untracked, the others' tracked.
        var broadcast = await (await client.PostAsJsonAsync("/v1/broadcasts", new
        {
            from = "a@acme.example", subject = "b", html,
            recipients = new[] { new { to = "carol@example.com" }, new { to = "dan@example.com" } },
        })).Json();
        var copies = broadcast["emails"]!.AsArray().ToDictionary(e => e!["to"]!.GetValue<string>(), e => e!["id"]!.GetValue<string>());
        Assert.DoesNotContain("/v1/track/", (await client.GetEmail(copies["carol@example.com"]))["html"]!.GetValue<string>());
        Assert.Contains("/v1/track/click/", (await client.GetEmail(copies["dan@example.com"]))["html"]!.GetValue<string>());
        Assert.Contains("/v1/track/open/", (await client.GetEmail(copies["dan@example.com"]))["html"]!.GetValue<string>());

        // Another project's list is its own.
        using var other = stack.ClientFor(await stack.CreateProject());
        Assert.Empty((await (await other.GetAsync("/v1/tracking-opt-outs")).Json())["data"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync("/v1/tracking-opt-outs/carol@example.com")).StatusCode);

        // Removed: tracked again.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/tracking-opt-outs/Carol@Example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/v1/tracking-opt-outs/carol@example.com")).StatusCode);
        var tracked = await client.GetEmail(await client.SendTracked(html));
        Assert.Contains("/v1/track/", tracked["html"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"email\":\"not an address\"}")]
    [InlineData("{\"email\":\"\"}")]
    [InlineData("{}")]
    public async Task What_is_not_an_address_is_a_422(string body)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PostAsync("/v1/tracking-opt-outs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]!["email"]);
    }
}
