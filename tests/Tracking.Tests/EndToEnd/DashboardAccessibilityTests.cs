using System.Text.Json;
using Microsoft.Playwright;
using Tracking.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tracking.Tests.EndToEnd;

/// <summary>The dashboard with only a keyboard, and checked by axe-core against WCAG 2 A and AA (contrast among them).</summary>
[Collection(StackCollection.Name)]
public class DashboardAccessibilityTests(TrackingStack stack, DashboardBrowser browser) : IClassFixture<DashboardBrowser>
{
    [Fact]
    public async Task Every_section_is_reached_and_used_with_the_keyboard()
    {
        var key = await stack.CreateProject();
        await using var tab = await browser.SignIn(stack.BaseUrl, key);
        var reached = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            await tab.Page.Keyboard.PressAsync("Tab");
            reached.Add(await tab.Page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()"));
        }
        Assert.Equal(["Skip to content", "Overview", "Emails", "Live", "Webhooks", "API keys", "Privacy", "Sign out"], reached);

        // Back to "API keys", and Enter opens it with the focus on the new page.
        await tab.Page.Keyboard.PressAsync("Shift+Tab");
        await tab.Page.Keyboard.PressAsync("Shift+Tab");
        await tab.Page.Keyboard.PressAsync("Enter");
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "API keys", Level = 1 })).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("#main")).ToBeFocusedAsync();
        await tab.Page.Keyboard.PressAsync("Tab");
        await tab.Page.Keyboard.TypeAsync("from-keyboard");
        await tab.Page.Keyboard.PressAsync("Enter");
        await Expect(tab.Page.Locator("[data-new-key]")).ToBeVisibleAsync();
        tab.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task No_section_breaks_a_WCAG_A_or_AA_rule()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        var id = await client.SendTracked("<h1>Hi</h1><p><a href=\"https://acme.example/a\">A link</a></p>");
        await stack.Http.GetAsync($"/v1/track/open/{id}");
        var axe = DashboardBrowser.AxeScript;
        foreach (var width in new[] { 375, 1280 })
        {
            await using var tab = await browser.SignIn(stack.BaseUrl, key, width);
            foreach (var (route, heading) in new[] { ("overview", "Overview"), ("emails", "Emails"), ($"emails/{id}", "Hello"), ("live", "Live"),
                         ("webhooks", "Webhooks"), ("keys", "API keys"), ("privacy", "Privacy") })
            {
                await tab.Go(route, heading);
                await Expect(tab.Page.Locator(".loading")).ToHaveCountAsync(0);
                // The page's policy admits only its own scripts: axe is added the way an extension would be.
                await tab.Page.EvaluateAsync(axe);
                var violations = await tab.Page.EvaluateAsync<JsonElement>("""
                    async () => (await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }))
                        .violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)
                    """);
                Assert.True(violations.GetArrayLength() == 0, $"{route} at {width} px: {violations}");
            }
            tab.AssertNoConsoleErrors();
        }
    }
}
