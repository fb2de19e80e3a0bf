using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>A project's retention: old events and old emails' bodies go, and every count and figure stays.</summary>
[Collection(StackCollection.Name)]
public class RetentionTests(TrackingStack stack)
{
    [Fact]
    public async Task Events_past_the_retention_are_purged_and_the_emails_counts_and_the_figures_stay()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var kept = await (await client.PatchAsJsonAsync("/v1/privacy", new { retention_days = 1, content_retention_days = 1 })).Json();
        Assert.Equal((1, 1), (kept["retention_days"]!.GetValue<int>(), kept["content_retention_days"]!.GetValue<int>()));
        var id = await client.SendTracked("<p><a href=\"https://shop.example/a\">a</a></p>");
        // Three days ago: an open and a click; now: another open.
        await stack.Backdate(id, "opened", TimeSpan.FromDays(3));
        await stack.Backdate(id, "clicked", TimeSpan.FromDays(3), "https://shop.example/a");
        await stack.Http.Hit($"/v1/track/open/{id}", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)");

        await TrackingStack.Eventually(async () => await stack.Scalar(
            "SELECT count(*) FROM email_events WHERE email_id = $1 AND created_at < now() - interval '1 day'", Guid.Parse(id)) == 0,
            "the old events are purged", seconds: 60);

        var email = await client.GetEmail(id);
        Assert.Equal(2, email["open_count"]!.GetValue<int>());
        Assert.Equal(1, email["click_count"]!.GetValue<int>());
        Assert.True(email["opened_at"]!.GetValue<DateTimeOffset>() < DateTimeOffset.UtcNow.AddDays(-2));
        Assert.Equal(1, email["links"]![0]!["click_count"]!.GetValue<int>());
        var totals = (await (await client.GetAsync("/v1/metrics?days=7")).Json())["totals"]!;
        Assert.Equal((2L, 1L, 1L, 1L), (totals["opens"]!.GetValue<long>(), totals["unique_opens"]!.GetValue<long>(),
            totals["clicks"]!.GetValue<long>(), totals["unique_clicks"]!.GetValue<long>()));
        var events = (await (await client.GetAsync($"/v1/events?email_id={id}")).Json())["data"]!.AsArray();
        Assert.Single(events, e => e!["type"]!.GetValue<string>() == "opened");
        Assert.DoesNotContain(events, e => e!["type"]!.GetValue<string>() == "clicked");

        // Past its own retention, a delivered email loses its body; its counts stay.
        Assert.NotNull(email["html"]);
        await stack.Scalar("UPDATE emails SET created_at = now() - interval '3 days' WHERE id = $1 RETURNING 1", Guid.Parse(id));
        JsonNode after = null!;
        await TrackingStack.Eventually(async () => (after = await client.GetEmail(id))["html"] is null, "the body is purged", seconds: 60);
        Assert.Equal(2, after["open_count"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("{\"retention_days\":0}", "retention_days")]
    [InlineData("{\"content_retention_days\":3651}", "content_retention_days")]
    public async Task A_retention_out_of_range_is_a_422(string body, string field)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PatchAsync("/v1/privacy", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]![field]);
    }
}
