using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Tracking.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tracking.Tests.EndToEnd;

/// <summary>The dashboard in a real browser, against the running service; screenshots go to the test artifacts.</summary>
[Collection(StackCollection.Name)]
public class DashboardTests(TrackingStack stack, DashboardBrowser browser) : IClassFixture<DashboardBrowser>
{
    static readonly int[] Widths = [375, 1280];
    static readonly (string Route, string Heading)[] Sections =
        [("overview", "Overview"), ("emails", "Emails"), ("live", "Live"), ("webhooks", "Webhooks"), ("keys", "API keys"), ("privacy", "Privacy")];

    /// <summary>A project with three delivered emails, two of them opened and one clicked.</summary>
    async Task<(string Key, HttpClient Client, string[] Emails)> ProjectWithTraffic()
    {
        var key = await stack.CreateProject();
        var client = stack.ClientFor(key);
        var ids = new string[3];
        for (var i = 0; i < ids.Length; i++)
        {
            var response = await client.SendEmail(new
            {
                from = "news@acme.example", to = $"reader{i}@example.com", subject = $"Spring news {i}",
                html = "<h1>Spring</h1><p>Read <a href=\"https://acme.example/spring\">the story</a>.</p><img src=\"https://acme.example/logo.png\" alt=\"Acme\">",
                tags = new[] { new { name = "campaign", value = "spring" } },
            });
            ids[i] = (await response.Json())["id"]!.GetValue<string>();
        }
        // Two people open, Apple's proxy fetches one pixel too, and one person clicks.
        foreach (var id in ids[..2]) await stack.Http.Hit($"/v1/track/open/{id}", Outlook);
        await stack.Http.Hit($"/v1/track/open/{ids[2]}", "Mozilla/5.0");
        await stack.Http.Hit((await client.GetEmail(ids[0])).ClickLinks()[0], Chrome);
        await TrackingStack.Eventually(async () => await Totals(client) is { } t
            && t["delivered"]!.GetValue<long>() == 3 && t["opens"]!.GetValue<long>() == 3 && t["clicks"]!.GetValue<long>() == 1,
            "the traffic is counted");
        return (key, client, ids);
    }

    const string Outlook = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.6326; Pro)";
    const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36";

    static async Task<JsonNode> Totals(HttpClient client) => (await (await client.GetAsync("/v1/metrics?days=7")).Json())["totals"]!;

    [Fact]
    public async Task Signed_in_the_overview_shows_the_APIs_figures_and_every_section_works_at_both_widths()
    {
        var (key, client, _) = await ProjectWithTraffic();
        using var _client = client;
        var totals = await Totals(client);
        foreach (var width in Widths)
        {
            await using var tab = await browser.SignIn(stack.BaseUrl, key, width);
            // The service's root leads to the dashboard, which opens on the overview.
            Assert.Equal("/dashboard/", new Uri(tab.Page.Url).AbsolutePath);
            foreach (var name in new[] { "sent", "delivered", "opens", "unique_opens", "clicks", "unique_clicks" })
                await Expect(tab.Page.Locator($"[data-figure={name}] dd").First).ToHaveTextAsync(totals[name]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture));
            foreach (var name in new[] { "open_rate", "click_rate", "click_to_open_rate" })
                await Expect(tab.Page.Locator($"[data-figure={name}] dd").First).ToHaveTextAsync(totals[name]!.GetValue<decimal>().ToString("F2", CultureInfo.InvariantCulture) + "%");
            // People's figures beside them, and each machine reason's count with its explanation.
            foreach (var name in new[] { "human_opens", "unique_human_opens", "human_clicks", "unique_human_clicks" })
                await Expect(tab.Page.Locator($"[data-human={name}]")).ToContainTextAsync(totals[name]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture) + " by people");
            await Expect(tab.Page.Locator($"[data-human=human_open_rate]")).ToContainTextAsync(
                totals["human_open_rate"]!.GetValue<decimal>().ToString("F2", CultureInfo.InvariantCulture) + "%");
            await Expect(tab.Page.Locator("[data-reason=apple_privacy_proxy]")).ToContainTextAsync("1 opens Apple Mail Privacy Protection");
            await Expect(tab.Page.Locator("[data-client=Outlook]")).ToContainTextAsync("2 (2)");
            await Expect(tab.Page.GetByRole(AriaRole.Cell, new() { Name = "https://acme.example/spring" })).ToBeVisibleAsync();

            foreach (var (route, heading) in Sections)
            {
                await tab.Go(route, heading);
                await tab.Page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 2_000 }).ContinueWith(_ => { });
                // Usable on a phone: nothing makes the page itself wider than the screen.
                Assert.True(await tab.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
                    $"{route} is wider than {width} px");
                await tab.Screenshot(route);
            }
            // The key stays in the tab's session storage: never in an address the browser asked for.
            Assert.DoesNotContain(tab.Requests, url => url.Contains(key));
            Assert.Equal(key, await tab.Page.EvaluateAsync<string>("() => sessionStorage.getItem('tracking.apiKey')"));
            tab.AssertNoConsoleErrors();
        }
    }

    [Fact]
    public async Task Filters_by_tag_change_the_figures_as_the_API_does()
    {
        var (key, client, _) = await ProjectWithTraffic();
        using var _client = client;
        await using var tab = await browser.SignIn(stack.BaseUrl, key);
        await tab.Page.GetByLabel("Value", new() { Exact = true }).FillAsync("campaign:autumn");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(tab.Page.Locator("[data-figure=sent] dd").First).ToHaveTextAsync("0");
        await tab.Page.GetByLabel("Value", new() { Exact = true }).FillAsync("campaign:spring");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(tab.Page.Locator("[data-figure=sent] dd").First).ToHaveTextAsync("3");
        await tab.Page.GetByLabel("Period").SelectOptionAsync("1");
        await Expect(tab.Page.Locator("[data-figure=opens] dd").First).ToHaveTextAsync("3");
        tab.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task An_emails_page_shows_its_timeline_live_and_a_preview_that_records_nothing()
    {
        var (key, client, ids) = await ProjectWithTraffic();
        using var _client = client;
        await using var tab = await browser.SignIn(stack.BaseUrl, key);
        await tab.Go("emails", "Emails");
        await tab.Page.GetByLabel("Recipient or subject").FillAsync("NEWS 0");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(tab.Page.Locator("tbody tr")).ToHaveCountAsync(1);
        await tab.Page.GetByRole(AriaRole.Link, new() { Name = "Spring news 0" }).ClickAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Spring news 0", Level = 1 })).ToBeVisibleAsync();

        // The timeline: sent, opened and clicked, with the address, the user agent and the link.
        await Expect(tab.Page.Locator("tr[data-event=opened]")).ToHaveCountAsync(1);
        await Expect(tab.Page.Locator("tr[data-event=opened]")).ToContainTextAsync("Outlook, Windows, desktop");
        var clicked = tab.Page.Locator("tr[data-event=clicked]");
        await Expect(clicked).ToContainTextAsync("https://acme.example/spring");
        await Expect(clicked).ToContainTextAsync("127.0.0.");
        await Expect(tab.Page.Locator("[data-detail=Status] dd")).ToHaveTextAsync("sent");

        // The preview shows the email, but neither the pixel nor the link is reached.
        var preview = tab.Page.FrameLocator("iframe.preview");
        await Expect(preview.GetByRole(AriaRole.Heading, new() { Name = "Spring" })).ToBeVisibleAsync();
        await TrackingStack.Never(async () => (await client.GetEmail(ids[0]))["open_count"]!.GetValue<int>() != 1,
            TimeSpan.FromSeconds(2), "an open recorded by the preview");
        await preview.GetByText("the story").ClickAsync();
        Assert.DoesNotContain(tab.Requests, url => url.Contains("/v1/track/"));

        // An open made now appears without a reload.
        await Expect(tab.Page.Locator(".stream-state[data-state=live]")).ToBeVisibleAsync();
        await stack.Http.GetAsync($"/v1/track/open/{ids[0]}");
        await Expect(tab.Page.Locator("tr[data-event=opened]")).ToHaveCountAsync(2, new() { Timeout = 5_000 });
        Assert.Equal(1, (await client.GetEmail(ids[0]))["click_count"]!.GetValue<int>());
        tab.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_live_view_shows_a_new_open_without_a_reload()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        var id = await client.SendTracked("<p>live</p>");
        await using var tab = await browser.SignIn(stack.BaseUrl, key);
        await tab.Go("live", "Live");
        await Expect(tab.Page.Locator(".stream-state[data-state=live]")).ToBeVisibleAsync();
        await stack.Http.GetAsync($"/v1/track/open/{id}");
        await Expect(tab.Page.Locator($"tr[data-event=opened]:has(a[href='#/emails/{id}'])")).ToBeVisibleAsync(new() { Timeout = 5_000 });
        tab.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_failing_webhook_delivery_is_retried_from_its_page_and_the_endpoint_turned_off()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        var path = "hooks/" + Guid.NewGuid().ToString("N");
        stack.Receiver.Answer(path, _ => 500);
        await using var tab = await browser.SignIn(stack.BaseUrl, key);
        await tab.Go("webhooks", "Webhooks");
        await tab.Page.GetByText("Add an endpoint").ClickAsync();
        await tab.Page.GetByLabel("URL").FillAsync(stack.Receiver.Url(path));
        foreach (var type in new[] { "email.sent", "email.delivered", "email.failed", "email.clicked" })
            await tab.Page.GetByLabel(type).UncheckAsync();
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await Expect(tab.Page.Locator(".secret code")).ToContainTextAsync("whsec_");
        var hook = (await (await client.GetAsync("/v1/webhooks")).Json())["data"]!.AsArray().Single()!;
        Assert.Equal(["email.opened"], hook["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        var hookId = hook["id"]!.GetValue<string>();

        await stack.Http.GetAsync($"/v1/track/open/{await client.SendTracked("<p>x</p>")}");
        // Every attempt of the tests' short schedule fails, and then the delivery is failed: only a retry sends it again.
        await TrackingStack.Eventually(async () => (await (await client.GetAsync($"/v1/webhooks/{hookId}/deliveries")).Json())
            ["data"]!.AsArray().FirstOrDefault()?["status"]?.GetValue<string>() == "failed", "the delivery fails");
        var attempts = stack.Receiver.Calls(path);

        await tab.Go("webhooks", "Webhooks");
        await tab.Page.GetByRole(AriaRole.Link, new() { Name = "Deliveries" }).ClickAsync();
        var delivery = tab.Page.Locator("tr[data-delivery]");
        await Expect(delivery.Locator("td.num")).ToHaveTextAsync($"{attempts}");
        await Expect(delivery).ToContainTextAsync("500");
        await delivery.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await TrackingStack.Eventually(() => Task.FromResult(stack.Receiver.Calls(path) == attempts + 1), "the retried attempt", seconds: 30);
        await Expect(delivery.Locator("td.num")).ToHaveTextAsync($"{attempts + 1}", new() { Timeout = 10_000 });

        await tab.Go("webhooks", "Webhooks");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Turn off" }).ClickAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Turn on" })).ToBeVisibleAsync();
        Assert.False((await (await client.GetAsync($"/v1/webhooks/{hookId}")).Json())["enabled"]!.GetValue<bool>());
        tab.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_key_is_shown_once_when_made_and_refused_once_revoked()
    {
        var key = await stack.CreateProject();
        await using var tab = await browser.SignIn(stack.BaseUrl, key);
        await tab.Go("keys", "API keys");
        await tab.Page.GetByLabel("Name").FillAsync("ci-deploy");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var made = await tab.Page.Locator("[data-new-key]").TextContentAsync();
        Assert.StartsWith("tk_", made);
        using var newClient = stack.ClientFor(made!);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/v1/api-keys")).StatusCode);

        var row = tab.Page.Locator("tr[data-key=ci-deploy]");
        await Expect(row).ToContainTextAsync(made![..7]);
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke…" }).ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke ci-deploy" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        await TrackingStack.Eventually(async () => (await newClient.GetAsync("/v1/api-keys")).StatusCode == HttpStatusCode.Unauthorized,
            "the revoked key is refused", seconds: 5);
        // Neither key was written to a log on the way.
        foreach (var log in new[] { stack.GatewayLog(), stack.SiloLog() })
        {
            Assert.DoesNotContain(made, log);
            Assert.DoesNotContain(key, log);
        }
        tab.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Sign_in_refuses_a_wrong_key_and_a_sending_only_key()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        var sending = (await (await client.PostAsJsonAsync("/v1/api-keys", new { name = "sender", permission = "sending_access" })).Json())["key"]!.GetValue<string>();
        await using var tab = await browser.Open(stack.BaseUrl);
        await tab.Page.GotoAsync("/");
        foreach (var (wrong, says) in new[] { ("tk_not_a_key_at_all", "does not know that key"), (sending, "may only send") })
        {
            await tab.Page.GetByLabel("API key").FillAsync(wrong);
            await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync(says);
        }
        Assert.Null(await tab.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('tracking.apiKey')"));
    }

    [Fact]
    public async Task Privacy_is_changed_and_a_recipient_opted_out_from_the_dashboard()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        await using var tab = await browser.SignIn(stack.BaseUrl, key);
        await tab.Go("privacy", "Privacy");
        await tab.Page.GetByLabel("IP address of each open and click").SelectOptionAsync("none");
        await tab.Page.GetByLabel("Keep the referer of clicks").UncheckAsync();
        await tab.Page.GetByLabel("Keep events for (days)").FillAsync("30");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        var settings = await (await client.GetAsync("/v1/privacy")).Json();
        Assert.Equal(("none", true, false, 30), (settings["ip_storage"]!.GetValue<string>(), settings["keep_user_agent"]!.GetValue<bool>(),
            settings["keep_referer"]!.GetValue<bool>(), settings["retention_days"]!.GetValue<int>()));

        await tab.Page.GetByLabel("Recipient's address").FillAsync("Erin@Example.com");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Stop tracking" }).ClickAsync();
        await Expect(tab.Page.Locator("tr[data-opt-out='erin@example.com']")).ToBeVisibleAsync();
        var send = await client.SendEmail(new { from = "a@acme.example", to = "erin@example.com", subject = "s", html = "<a href=\"https://a.example/\">a</a>" });
        Assert.DoesNotContain("/v1/track/", (await client.GetEmail((await send.Json())["id"]!.GetValue<string>()))["html"]!.GetValue<string>());
        await tab.Page.Locator("tr[data-opt-out='erin@example.com']").GetByRole(AriaRole.Button, new() { Name = "Track again" }).ClickAsync();
        await Expect(tab.Page.Locator("tr[data-opt-out]")).ToHaveCountAsync(0);
        tab.AssertNoConsoleErrors();
    }
}
