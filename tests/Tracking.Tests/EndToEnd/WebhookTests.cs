using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Tracking.Tests.Infrastructure;
using Tracking.Grains.Webhooks;
using Tracking.Contracts;

namespace Tracking.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public class WebhookTests(TrackingStack stack)
{
    record Hook(string Id, string Secret, string Path);

    async Task<Hook> Register(HttpClient client, string[] events, string? path = null)
    {
        path ??= "hooks/" + Guid.NewGuid().ToString("N");
        var response = await client.PostAsJsonAsync("/v1/webhooks", new { url = stack.Receiver.Url(path), events });
        var body = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return new Hook(body["id"]!.GetValue<string>(), body["secret"]!.GetValue<string>(), path);
    }

    async Task<List<ReceivedWebhook>> WaitFor(string path, int count, Func<ReceivedWebhook, bool>? which = null)
    {
        List<ReceivedWebhook> got = [];
        await TrackingStack.Eventually(() =>
            Task.FromResult((got = stack.Receiver.At(path).Where(which ?? (_ => true)).ToList()).Count >= count), $"{count} webhook(s) at {path}");
        return got;
    }

    static JsonNode Payload(ReceivedWebhook hook) => JsonNode.Parse(hook.Body)!;

    [Fact]
    public async Task A_webhook_is_created_listed_changed_and_deleted_and_its_secret_shown_once()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(client, ["email.opened"]);
        Assert.StartsWith("whsec_", hook.Secret);
        Assert.Equal(32, Convert.FromBase64String(hook.Secret["whsec_".Length..]).Length);

        var got = await (await client.GetAsync($"/v1/webhooks/{hook.Id}")).Json();
        Assert.Null(got["secret"]);
        Assert.True(got["enabled"]!.GetValue<bool>());
        Assert.Single((await (await client.GetAsync("/v1/webhooks")).Json())["data"]!.AsArray());

        var patched = await client.PatchAsJsonAsync($"/v1/webhooks/{hook.Id}", new { events = new[] { "email.clicked", "email.opened" }, enabled = false });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = await patched.Json();
        Assert.Equal(2, after["events"]!.AsArray().Count);
        Assert.False(after["enabled"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PatchAsJsonAsync($"/v1/webhooks/{hook.Id}", new { events = new[] { "email.bounced" } })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/webhooks/{hook.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/webhooks/{hook.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/webhooks/{hook.Id}")).StatusCode);
    }

    [Fact]
    public async Task Every_public_timestamp_is_RFC_3339_UTC_with_a_Z_in_the_API_and_in_webhooks()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(client, ["email.opened"]);
        var id = await client.SendTracked("<p>when</p>");
        await stack.Http.GetAsync($"/v1/track/open/{id}");
        var payload = Payload((await WaitFor(hook.Path, 1)).Single());

        JsonNode[] answers =
        [
            payload,
            await client.GetEmail(id),
            await (await client.GetAsync($"/v1/events?email_id={id}")).Json(),
            await (await client.GetAsync($"/v1/webhooks/{hook.Id}")).Json(),
            await (await client.GetAsync($"/v1/webhooks/{hook.Id}/deliveries")).Json(),
        ];
        var stamps = answers.SelectMany(Timestamps).ToList();
        Assert.Contains(payload["data"]!["opened_at"]!.GetValue<string>(), stamps);
        Assert.True(stamps.Count >= 8, string.Join(", ", stamps));
        Assert.All(stamps, t => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", t));

        static IEnumerable<string> Timestamps(JsonNode? node) => node switch
        {
            JsonObject o => o.SelectMany(p => p.Key.EndsWith("_at") && p.Value is JsonValue v && v.TryGetValue<string>(out var t)
                ? [t] : Timestamps(p.Value)),
            JsonArray a => a.SelectMany(Timestamps),
            _ => [],
        };
    }

    [Theory]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://172.16.0.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://224.0.0.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00:ec2::254]/hook")]
    [InlineData("http://[::ffff:10.0.0.1]/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("https://127.0.0.2/hook")]
    [InlineData("ftp://127.0.0.1/hook")]
    [InlineData("not a url")]
    public async Task A_webhook_url_that_points_inside_is_refused(string url)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PostAsJsonAsync("/v1/webhooks", new { url, events = new[] { "email.opened" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]!["url"]);
        Assert.Empty((await (await client.GetAsync("/v1/webhooks")).Json())["data"]!.AsArray());
    }

    [Fact]
    public async Task An_open_reaches_the_endpoint_signed_with_the_event_id()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(client, ["email.opened", "email.clicked"]);
        var emailId = await client.SendTracked("<html><body><a href=\"https://shop.example/x\">x</a></body></html>");
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/track/open/{emailId}");
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (Hooked)");
        await stack.Http.SendAsync(request);
        var click = new Uri((await client.GetEmail(emailId)).ClickLinks()[0]).PathAndQuery;
        await stack.Http.GetAsync(click);

        var received = await WaitFor(hook.Path, 2);
        var opened = received.Single(r => Payload(r)["type"]!.GetValue<string>() == "email.opened");
        Assert.True(WebhookReceiver.SignedWith(hook.Secret, opened));
        Assert.True(long.Parse(opened.Timestamp) > DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds());

        var payload = Payload(opened);
        Assert.Equal(opened.Id, payload["id"]!.GetValue<string>());
        await using (var command = stack.Db.CreateCommand("SELECT id FROM email_events WHERE email_id = $1 AND type = 'opened'"))
        {
            command.Parameters.Add(new() { Value = Guid.Parse(emailId) });
            Assert.Equal($"evt_{(Guid)(await command.ExecuteScalarAsync())!:N}", opened.Id);
        }
        var data = payload["data"]!;
        Assert.Equal(emailId, data["email_id"]!.GetValue<string>());
        Assert.Equal("Acme <news@acme.example>", data["from"]!.GetValue<string>());
        Assert.Equal("bob@example.com", data["to"]![0]!.GetValue<string>());
        Assert.Equal("Hello", data["subject"]!.GetValue<string>());
        Assert.Equal("Mozilla/5.0 (Hooked)", data["user_agent"]!.GetValue<string>());
        Assert.Equal("127.0.0.0", data["ip_address"]!.GetValue<string>());
        Assert.NotNull(data["opened_at"]);
        Assert.NotNull(payload["created_at"]);

        var clicked = Payload(received.Single(r => Payload(r)["type"]!.GetValue<string>() == "email.clicked"));
        Assert.Equal("https://shop.example/x", clicked["data"]!["link"]!.GetValue<string>());
        Assert.NotNull(clicked["data"]!["clicked_at"]);
    }

    [Fact]
    public async Task An_endpoint_failing_three_times_gets_one_success_under_one_webhook_id()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(client, ["email.opened"]);
        stack.Receiver.Answer(hook.Path, n => n <= 3 ? 500 : 204);
        var emailId = await client.SendTracked("<p>x</p>");
        await stack.Http.GetAsync($"/v1/track/open/{emailId}");

        var attempts = await WaitFor(hook.Path, 4);
        Assert.Equal(4, attempts.Count);
        Assert.Single(attempts, a => a.AnsweredWith == 204);
        Assert.Single(attempts.Select(a => a.Id).Distinct());
        Assert.Single(attempts.Select(a => a.Body).Distinct());
        Assert.All(attempts, a => Assert.True(WebhookReceiver.SignedWith(hook.Secret, a)));

        JsonNode delivery = null!;
        await TrackingStack.Eventually(async () =>
            (delivery = (await (await client.GetAsync($"/v1/webhooks/{hook.Id}/deliveries")).Json())["data"]![0]!)["status"]!.GetValue<string>() == "delivered",
            "the delivery is marked delivered");
        Assert.Equal(4, delivery["attempts"]!.GetValue<int>());
        Assert.Equal(204, delivery["last_status_code"]!.GetValue<int>());
        Assert.Equal(attempts[0].Id, delivery["event_id"]!.GetValue<string>());

        // Sent again on request: same event, same webhook-id.
        var retry = await client.PostAsync($"/v1/webhooks/{hook.Id}/deliveries/{delivery["id"]!.GetValue<string>()}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var again = await WaitFor(hook.Path, 5);
        Assert.Equal(attempts[0].Id, again[^1].Id);
    }

    [Fact]
    public async Task An_endpoint_answering_410_is_disabled()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(client, ["email.opened"]);
        stack.Receiver.Answer(hook.Path, _ => 410);
        var emailId = await client.SendTracked("<p>x</p>");
        await stack.Http.GetAsync($"/v1/track/open/{emailId}");

        await TrackingStack.Eventually(async () =>
            !(await (await client.GetAsync($"/v1/webhooks/{hook.Id}")).Json())["enabled"]!.GetValue<bool>(), "the webhook is disabled");
        var webhook = await (await client.GetAsync($"/v1/webhooks/{hook.Id}")).Json();
        Assert.Contains("410", webhook["disabled_reason"]!.GetValue<string>());
        var delivery = (await (await client.GetAsync($"/v1/webhooks/{hook.Id}/deliveries")).Json())["data"]![0]!;
        Assert.Equal("failed", delivery["status"]!.GetValue<string>());
        Assert.Single(stack.Receiver.At(hook.Path));

        // Disabled: later events are not sent to it.
        await stack.Http.GetAsync($"/v1/track/open/{emailId}");
        Assert.Single((await (await client.GetAsync($"/v1/webhooks/{hook.Id}/deliveries")).Json())["data"]!.AsArray());
    }

    [Fact]
    public async Task After_rotation_both_the_old_and_the_new_secret_verify()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(client, ["email.opened"]);
        var rotated = await (await client.PostAsync($"/v1/webhooks/{hook.Id}/rotate-secret", null)).Json();
        var newSecret = rotated["secret"]!.GetValue<string>();
        Assert.NotEqual(hook.Secret, newSecret);

        var emailId = await client.SendTracked("<p>x</p>");
        await stack.Http.GetAsync($"/v1/track/open/{emailId}");
        var received = (await WaitFor(hook.Path, 1)).Single();
        Assert.Equal(2, received.Signature.Split(' ').Length);
        Assert.True(WebhookReceiver.SignedWith(newSecret, received));
        Assert.True(WebhookReceiver.SignedWith(hook.Secret, received));
        Assert.False(WebhookReceiver.SignedWith(WebhookSignature.NewSecret().Secret, received));
    }

    [Fact]
    public async Task A_stalled_endpoint_does_not_hold_up_another()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var stalled = await Register(client, ["email.opened"]);
        var healthy = await Register(client, ["email.opened"]);
        stack.Receiver.Stall(stalled.Path);
        var emailId = await client.SendTracked("<p>x</p>");
        await stack.Http.GetAsync($"/v1/track/open/{emailId}");

        await WaitFor(healthy.Path, 1);
        // The other endpoint's attempt is still hanging: it did not have to finish first.
        var stalledDelivery = (await (await client.GetAsync($"/v1/webhooks/{stalled.Id}/deliveries")).Json())["data"]![0]!;
        Assert.Equal("sending", stalledDelivery["status"]!.GetValue<string>());
        Assert.Empty(stack.Receiver.At(stalled.Path));
    }

    [Fact]
    public async Task Delivery_events_reach_endpoints_subscribed_to_them()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(client, ["email.sent", "email.delivered"]);
        var to = $"hooked-{Guid.NewGuid():N}@example.com";
        var id = (await (await client.SendEmail(new { from = "a@acme.example", to, subject = "s", text = "x" })).Json())["id"]!.GetValue<string>();

        var received = await WaitFor(hook.Path, 2);
        var types = received.Select(r => Payload(r)["type"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(new[] { "email.delivered", "email.sent" }, types);
        Assert.All(received, r => Assert.Equal(id, Payload(r)["data"]!["email_id"]!.GetValue<string>()));
        Assert.StartsWith("250", Payload(received.Single(r => Payload(r)["type"]!.GetValue<string>() == "email.delivered"))["data"]!["smtp_response"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_event_whose_stream_notice_was_lost_is_still_delivered()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        var hook = await Register(client, ["email.opened"]);
        var emailId = Guid.Parse(await client.SendTracked("<p>x</p>"));
        // As if the silo died between committing an open and publishing its notice.
        var eventId = Guid.NewGuid();
        await using (var command = stack.Db.CreateCommand("""
            INSERT INTO email_events (id, email_id, project_id, type, created_at)
            SELECT $1, id, project_id, 'opened', now() FROM emails WHERE id = $2
            """))
        {
            command.Parameters.Add(new() { Value = eventId });
            command.Parameters.Add(new() { Value = emailId });
            await command.ExecuteNonQueryAsync();
        }
        var received = (await WaitFor(hook.Path, 1)).Single();
        Assert.Equal($"evt_{eventId:N}", received.Id);
    }

    [Fact]
    public async Task An_event_that_commits_after_a_later_one_is_still_delivered()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(client, ["email.opened"]);
        var emailId = Guid.Parse(await client.SendTracked("<p>x</p>"));
        const string Open = """
            INSERT INTO email_events (id, email_id, project_id, type, created_at)
            SELECT $1, id, project_id, 'opened', now() FROM emails WHERE id = $2
            """;
        // Both without a stream notice, so only the sweep delivers them. The first takes its sequence number
        // and then waits to commit, while the second commits and is delivered.
        Guid late = Guid.NewGuid(), early = Guid.NewGuid();
        await using var connection = await stack.Db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(Open, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = late });
            insert.Parameters.Add(new() { Value = emailId });
            await insert.ExecuteNonQueryAsync();
        }
        await stack.Scalar(Open, early, emailId);
        Assert.Equal($"evt_{early:N}", (await WaitFor(hook.Path, 1)).Single().Id);
        // By now the sweep's quick passes start after both numbers.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await transaction.CommitAsync();

        var received = await WaitFor(hook.Path, 2);
        Assert.Equal([$"evt_{early:N}", $"evt_{late:N}"], received.Select(r => r.Id));
    }

    [Fact]
    public async Task Another_projects_webhook_is_not_found()
    {
        using var alice = stack.ClientFor(await stack.CreateProject());
        using var mallory = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(alice, ["email.opened"]);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/v1/webhooks/{hook.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.DeleteAsync($"/v1/webhooks/{hook.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/v1/webhooks/{hook.Id}/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PostAsync($"/v1/webhooks/{hook.Id}/rotate-secret", null)).StatusCode);
        Assert.Empty((await (await mallory.GetAsync("/v1/webhooks")).Json())["data"]!.AsArray());
    }

    [Fact]
    public async Task A_project_has_at_most_20_endpoints()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var ids = new List<string>();
        for (var i = 0; i < 20; i++) ids.Add((await Register(client, ["email.opened"])).Id);
        var refused = await client.PostAsJsonAsync("/v1/webhooks", new { url = stack.Receiver.Url("one-more"), events = new[] { "email.opened" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.NotNull((await refused.Json())["errors"]!["webhooks"]);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/webhooks/{ids[0]}")).StatusCode);
        await Register(client, ["email.opened"]);
    }

    [Fact]
    public async Task A_closed_port_and_a_port_that_speaks_no_http_look_the_same_to_the_tenant()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var ids = new List<string>();
        foreach (var port in new[] { stack.ClosedPort, stack.Relay.Port })
        {
            var created = await client.PostAsJsonAsync("/v1/webhooks", new { url = $"http://127.0.0.1:{port}/hook", events = new[] { "email.opened" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ids.Add((await created.Json())["id"]!.GetValue<string>());
        }
        await stack.Http.GetAsync($"/v1/track/open/{await client.SendTracked("<p>probe</p>")}");

        var errors = new List<string?>();
        await TrackingStack.Eventually(async () =>
        {
            errors.Clear();
            foreach (var id in ids)
            {
                var page = await (await client.GetAsync($"/v1/webhooks/{id}/deliveries")).Json();
                errors.Add(page["data"]!.AsArray().FirstOrDefault()?["last_error"]?.GetValue<string>());
            }
            return errors.All(e => e is not null);
        }, "both endpoints failed an attempt");
        Assert.All(errors, e => Assert.Equal(WebhookAttempts.UnreachableError, e));
        // The operator's log tells which delivery of which event found what.
        var eventId = (await (await client.GetAsync($"/v1/webhooks/{ids[0]}/deliveries")).Json())["data"]![0]!["event_id"]!.GetValue<string>();
        var logged = Guid.ParseExact(eventId[PublicEventId.Prefix.Length..], "N").ToString();
        await TrackingStack.Eventually(() => Task.FromResult(stack.SiloLog().Split('\n').Any(line => line.Contains(logged))), "the event id is in the log");
    }

    [Fact]
    public async Task A_disabled_endpoint_keeps_its_pending_deliveries_unattempted_until_it_is_enabled()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var hook = await Register(client, ["email.opened"]);
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync($"/v1/webhooks/{hook.Id}", new { enabled = false })).StatusCode);
        // A delivery made before it was turned off, due now.
        var eventId = Guid.CreateVersion7();
        await stack.Scalar("""
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, next_attempt_at)
            VALUES (gen_random_uuid(), $1, $2, 'email.opened', '{"type":"email.opened"}', now())
            """, Guid.Parse(hook.Id), eventId);

        await TrackingStack.Never(async () => stack.Receiver.Calls(hook.Path) > 0
            || await stack.Scalar("SELECT attempts FROM webhook_deliveries WHERE event_id = $1", eventId) > 0,
            TimeSpan.FromSeconds(2), "a delivery to a disabled endpoint was attempted");

        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync($"/v1/webhooks/{hook.Id}", new { enabled = true })).StatusCode);
        await WaitFor(hook.Path, 1);
    }
}
