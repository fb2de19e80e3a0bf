using System.Net;
using System.Net.Http.Json;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>A stack with the per-address limits low enough for a test to cross them.</summary>
public sealed class LimitedStack : TrackingStack
{
    public const int TrackRate = 5, AuthFailures = 5;

    protected override Dictionary<string, string> GatewaySettings() => new()
    {
        ["TRACKING_TRACK_RATE_LIMIT"] = TrackRate.ToString(),
        ["TRACKING_AUTH_FAILURE_LIMIT"] = AuthFailures.ToString(),
    };

    /// <summary>Few webhook slots, so that one project could take them all.</summary>
    public const int WebhookSlots = 6, WebhookSlotsPerProject = 3;

    protected override Dictionary<string, string> SiloSettings() => new()
    {
        ["Webhooks__MaxConcurrency"] = WebhookSlots.ToString(),
        ["Webhooks__PerProjectConcurrency"] = WebhookSlotsPerProject.ToString(),
    };
}

public class TrafficLimitTests(LimitedStack stack) : IClassFixture<LimitedStack>
{
    [Fact]
    public async Task Replayed_opens_past_the_limit_get_the_gif_but_are_not_recorded_and_are_counted()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>replayed</p>");
        using var stranger = stack.ClientFrom("127.0.0.2");

        var replays = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => stranger.GetAsync($"/v1/track/open/{id}")));
        Assert.All(replays, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(replays, r => Assert.Equal("image/gif", r.Content.Headers.ContentType?.MediaType));

        // A burst of twice the rate, and what the bucket refilled meanwhile.
        var recorded = (await client.GetEmail(id))["open_count"]!.GetValue<int>();
        Assert.InRange(recorded, 2 * LimitedStack.TrackRate, 2 * LimitedStack.TrackRate + 3 * LimitedStack.TrackRate);

        // Another address is not held back by this one.
        using var neighbour = stack.ClientFrom("127.0.0.3");
        Assert.Equal(HttpStatusCode.OK, (await neighbour.GetAsync($"/v1/track/open/{id}")).StatusCode);
        Assert.Equal(recorded + 1, (await client.GetEmail(id))["open_count"]!.GetValue<int>());

        await TrackingStack.Eventually(() => Task.FromResult(stack.GatewayLog().Contains("over the per-address limit")),
            "the dropped hits are logged", seconds: 20);
    }

    [Fact]
    public async Task A_valid_click_past_the_limit_still_redirects_but_is_not_recorded_and_a_forged_one_never_does()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<html><body><a href=\"https://shop.example/limited\">x</a></body></html>");
        var click = new Uri((await client.GetEmail(id)).ClickLinks()[0]).PathAndQuery;
        using var stranger = stack.ClientFrom("127.0.0.4");

        var clicks = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => stranger.GetAsync(click)));
        Assert.All(clicks, r => Assert.Equal(HttpStatusCode.Found, r.StatusCode));
        Assert.All(clicks, r => Assert.Equal("https://shop.example/limited", r.Headers.Location?.OriginalString));
        Assert.InRange((await client.GetEmail(id))["click_count"]!.GetValue<int>(), 2 * LimitedStack.TrackRate, 5 * LimitedStack.TrackRate);

        var forged = await stranger.GetAsync(click[..^2] + (click[^2] == 'A' ? "BA" : "AA"));
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Null(forged.Headers.Location);
    }

    [Fact]
    public async Task Past_the_failed_key_limit_an_address_gets_429_even_with_a_good_key_and_others_do_not()
    {
        var key = await stack.CreateProject();
        using var guesser = stack.ClientFrom("127.0.0.5", "tk_guessing_0123456789abcdefgh");
        for (var i = 0; i < LimitedStack.AuthFailures; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync("/v1/emails")).StatusCode);

        var refused = await guesser.GetAsync("/v1/emails");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        using var sameAddress = stack.ClientFrom("127.0.0.5", key);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await sameAddress.GetAsync("/v1/emails")).StatusCode);

        using var elsewhere = stack.ClientFrom("127.0.0.6", key);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/v1/emails")).StatusCode);
    }

    [Fact]
    public async Task A_project_whose_endpoints_all_hang_leaves_webhook_slots_for_the_others()
    {
        using var busy = stack.ClientFor(await stack.CreateProject());
        var release = new TaskCompletionSource();
        var hanging = Enumerable.Range(0, 3).Select(i => $"hang-{i}/{Guid.NewGuid():N}").ToList();
        foreach (var path in hanging)
        {
            stack.Receiver.Hold(path, release.Task);
            Assert.Equal(HttpStatusCode.Created, (await busy.PostAsJsonAsync("/v1/webhooks", new { url = stack.Receiver.Url(path), events = new[] { "email.opened" } })).StatusCode);
        }
        var busyEmail = await busy.SendTracked("<p>busy</p>");
        using var opener = stack.ClientFrom("127.0.0.7");
        for (var i = 0; i < 3; i++) await opener.GetAsync($"/v1/track/open/{busyEmail}");
        // Nine attempts want to run, three per endpoint: the project gets its share of the slots, no more.
        await TrackingStack.Eventually(() => Task.FromResult(hanging.Sum(stack.Receiver.Calls) == LimitedStack.WebhookSlotsPerProject),
            "the busy project's attempts take its slots");

        using var other = stack.ClientFor(await stack.CreateProject());
        var path2 = $"other/{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync("/v1/webhooks", new { url = stack.Receiver.Url(path2), events = new[] { "email.opened" } })).StatusCode);
        var otherEmail = await other.SendTracked("<p>other</p>");
        await opener.GetAsync($"/v1/track/open/{otherEmail}");
        await TrackingStack.Eventually(() => Task.FromResult(stack.Receiver.At(path2).Count == 1), "the other project's webhook is delivered", seconds: 20);
        Assert.Equal(LimitedStack.WebhookSlotsPerProject, hanging.Sum(stack.Receiver.Calls));

        release.SetResult();
        await TrackingStack.Eventually(() => Task.FromResult(hanging.Sum(p => stack.Receiver.At(p).Count) == 9), "the busy project's webhooks are all delivered");
    }
}
