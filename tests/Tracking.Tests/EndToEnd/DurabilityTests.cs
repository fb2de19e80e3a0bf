using System.Net;
using System.Net.Http.Json;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>A stack of its own: these tests kill its silo.</summary>
public sealed class CrashableStack : TrackingStack;

public class DurabilityTests(CrashableStack stack) : IClassFixture<CrashableStack>
{
    [Fact]
    public async Task Acknowledged_opens_and_clicks_survive_a_silo_kill()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<html><body><a href=\"https://shop.example/a\">a</a></body></html>");
        var click = new Uri((await client.GetEmail(id)).ClickLinks()[0]).PathAndQuery;

        var opens = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => stack.Http.GetAsync($"/v1/track/open/{id}")));
        var clicks = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => stack.Http.GetAsync(click)));
        Assert.All(opens, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(clicks, r => Assert.Equal(HttpStatusCode.Found, r.StatusCode));
        var before = await client.GetEmail(id);

        // SIGKILL at once: the grain's lazy snapshot has not been written yet.
        await stack.CrashAndRestartSilo();

        var after = await client.GetEmail(id);
        Assert.Equal(20, after["open_count"]!.GetValue<int>());
        Assert.Equal(5, after["click_count"]!.GetValue<int>());
        Assert.Equal(5, after["links"]![0]!["click_count"]!.GetValue<int>());
        Assert.Equal(before["opened_at"]!.GetValue<DateTimeOffset>(), after["opened_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(before["clicked_at"]!.GetValue<DateTimeOffset>(), after["clicked_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(25, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type IN ('opened', 'clicked')", Guid.Parse(id)));

        // Links still verify after the restart: the signing key is the same.
        Assert.Equal(HttpStatusCode.Found, (await stack.Http.GetAsync(click)).StatusCode);
        Assert.Equal(6, (await client.GetEmail(id))["click_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_busy_email_is_snapshotted_and_its_later_events_replayed_after_a_kill()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>popular</p>");
        var snapshots = await stack.Scalar("SELECT count(*) FROM orleans_storage WHERE state_name = 'email'");
        for (var i = 0; i < 40; i++) await stack.Http.GetAsync($"/v1/track/open/{id}");
        // Opens do not wake the email's grain; reading the email folds them in, and 40 are worth a snapshot.
        Assert.Equal(40, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
        await TrackingStack.Eventually(async () =>
            await stack.Scalar("SELECT count(*) FROM orleans_storage WHERE state_name = 'email'") == snapshots + 1, "the snapshot is written");
        for (var i = 0; i < 3; i++) await stack.Http.GetAsync($"/v1/track/open/{id}");

        await stack.CrashAndRestartSilo();

        var email = await client.GetEmail(id);
        Assert.Equal(43, email["open_count"]!.GetValue<int>());
        Assert.Equal(43, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened'", Guid.Parse(id)));
    }

    [Fact]
    public async Task A_snapshot_stored_under_the_state_type_s_earlier_name_is_still_read()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>older</p>");
        // 41: no other test's email has that many opens, so the snapshot is found by its count.
        for (var i = 0; i < 41; i++) await stack.Http.GetAsync($"/v1/track/open/{id}");
        Assert.Equal(41, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
        await TrackingStack.Eventually(async () => await stack.Scalar(
            "SELECT count(*) FROM orleans_storage WHERE convert_from(payload, 'UTF8') LIKE '%\"OpenCount\":41,%'") == 1, "the snapshot is written");
        await stack.CrashAndRestartSilo();

        // As the state was stored before it moved out of the contracts; the count marks it as the one read.
        Assert.Equal(1, await stack.Scalar("""
            UPDATE orleans_storage SET payload = convert_to(replace(replace(convert_from(payload, 'UTF8'),
                '"Tracking.Grains.Emails.EmailState, Tracking.Grains"', '"Tracking.EmailState, Tracking.Grains.Interfaces"'),
                '"OpenCount":41', '"OpenCount":1000'), 'UTF8')
            WHERE convert_from(payload, 'UTF8') LIKE '%"OpenCount":41,%'
            RETURNING 1
            """));
        await stack.Http.GetAsync($"/v1/track/open/{id}");
        Assert.Equal(1001, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_email_accepted_before_a_crash_is_there_after_it()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>kept</p>");
        await stack.CrashAndRestartSilo();
        var email = await client.GetEmail(id);
        Assert.Contains("kept", email["html"]!.GetValue<string>());
        await stack.Http.GetAsync($"/v1/track/open/{id}");
        Assert.Equal(1, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Mail_queued_when_the_silo_dies_is_delivered_once_after_restart()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        stack.Relay.ReplyToAll = 451;
        var attemptsBefore = stack.Relay.Attempts;
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
            ids.Add((await (await client.SendEmail(new { from = "a@acme.example", to = $"r{i}@example.com", subject = $"{i}", text = "x" }))
                .Json())["id"]!.GetValue<string>());
        await TrackingStack.Eventually(() => Task.FromResult(stack.Relay.Attempts >= attemptsBefore + ids.Count), "every email was tried");

        await stack.CrashAndRestartSilo();
        stack.Relay.ReplyToAll = null;

        await TrackingStack.Eventually(async () =>
        {
            foreach (var id in ids)
                if ((await client.GetEmail(id))["status"]!.GetValue<string>() != "sent") return false;
            return true;
        }, "every email is sent");
        Assert.All(ids, id => Assert.Single(stack.Relay.For(id)));
    }
}

public class WebhookDurabilityTests(CrashableStack stack) : IClassFixture<CrashableStack>
{
    [Fact]
    public async Task Pending_webhook_deliveries_survive_a_silo_kill()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var path = "down/" + Guid.NewGuid().ToString("N");
        stack.Receiver.Answer(path, _ => 503);
        var created = await (await client.PostAsJsonAsync("/v1/webhooks",
            new { url = stack.Receiver.Url(path), events = new[] { "email.opened" } })).Json();
        var emailId = await client.SendTracked("<p>x</p>");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await stack.Http.GetAsync($"/v1/track/open/{emailId}")).StatusCode);
        await TrackingStack.Eventually(() => Task.FromResult(stack.Receiver.At(path).Count >= 1), "a first attempt was made");

        await stack.CrashAndRestartSilo();
        stack.Receiver.Answer(path, _ => 200);

        await TrackingStack.Eventually(() => Task.FromResult(stack.Receiver.At(path).Any(r => r.AnsweredWith == 200)), "the webhook is delivered");
        Assert.Single(stack.Receiver.At(path).Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task An_open_acknowledged_just_before_a_kill_still_reaches_the_webhook()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var path = "kill/" + Guid.NewGuid().ToString("N");
        await client.PostAsJsonAsync("/v1/webhooks", new { url = stack.Receiver.Url(path), events = new[] { "email.opened" } });
        var emailId = await client.SendTracked("<p>x</p>");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await stack.Http.GetAsync($"/v1/track/open/{emailId}")).StatusCode);
        await stack.CrashAndRestartSilo();
        await TrackingStack.Eventually(() => Task.FromResult(stack.Receiver.At(path).Count >= 1), "the open reaches the webhook");
    }
}

/// <summary>No relay configured: emails are accepted and kept, not sent.</summary>
public sealed class StoreOnlyStack : TrackingStack
{
    protected override Dictionary<string, string> SiloSettings() => new() { ["TRACKING_SMTP_HOST"] = "" };
}

public class StoreOnlyTests(StoreOnlyStack stack) : IClassFixture<StoreOnlyStack>
{
    [Fact]
    public async Task Without_a_relay_emails_are_stored_and_still_tracked()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<html><body><a href=\"https://a.example/\">a</a></body></html>");
        var email = await client.GetEmail(id);
        Assert.Equal("stored", email["status"]!.GetValue<string>());
        Assert.Equal(0, email["attempts"]!.GetValue<int>());

        await stack.Http.GetAsync($"/v1/track/open/{id}");
        Assert.Equal(1, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
        Assert.Equal("stored", (await client.GetEmail(id))["status"]!.GetValue<string>());
    }
}

/// <summary>Gives up on failing mail after about two seconds, and on failing webhook endpoints after about one.</summary>
public sealed class ImpatientStack : TrackingStack
{
    static string Invariant(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    protected override Dictionary<string, string> SiloSettings() => new()
    {
        ["Smtp__GiveUpAfterHours"] = Invariant(2.0 / 3600),
        ["Webhooks__DisableAfterFailingDays"] = Invariant(1.0 / 86400),
        ["Webhooks__RetryScheduleSeconds"] = "0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5",
    };
}

public class GiveUpTests(ImpatientStack stack) : IClassFixture<ImpatientStack>
{
    [Fact]
    public async Task Temporary_failures_past_the_give_up_time_fail_the_email_with_the_last_reason()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        stack.Relay.Script("always-busy@example.com", Enumerable.Repeat(451, 1000).ToArray());
        var id = (await (await client.SendEmail(new { from = "a@acme.example", to = "always-busy@example.com", subject = "s", text = "x" }))
            .Json())["id"]!.GetValue<string>();

        System.Text.Json.Nodes.JsonNode email = null!;
        await TrackingStack.Eventually(async () => (email = await client.GetEmail(id))["status"]!.GetValue<string>() == "failed",
            "the email has failed");
        Assert.Contains("451", email["last_error"]!.GetValue<string>());
        Assert.True(email["attempts"]!.GetValue<int>() >= 2);
        Assert.Empty(stack.Relay.For(id));
    }

    [Fact]
    public async Task An_endpoint_that_fails_everything_for_the_set_time_is_turned_off()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var path = "broken/" + Guid.NewGuid().ToString("N");
        stack.Receiver.Answer(path, _ => 500);
        var hook = await (await client.PostAsJsonAsync("/v1/webhooks", new { url = stack.Receiver.Url(path), events = new[] { "email.opened" } })).Json();
        var webhookId = hook["id"]!.GetValue<string>();
        var emailId = await client.SendTracked("<p>x</p>");
        await stack.Http.GetAsync($"/v1/track/open/{emailId}");

        System.Text.Json.Nodes.JsonNode webhook = null!;
        await TrackingStack.Eventually(async () =>
            !(webhook = await (await client.GetAsync($"/v1/webhooks/{webhookId}")).Json())["enabled"]!.GetValue<bool>(), "the endpoint is turned off");
        Assert.Contains("failed", webhook["disabled_reason"]!.GetValue<string>());
        Assert.True(stack.Receiver.At(path).Count >= 2);
    }
}
