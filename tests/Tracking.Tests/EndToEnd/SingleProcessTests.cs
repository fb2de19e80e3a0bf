using System.Net;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>The one-process shape ./run.sh starts: the Gateway hosts the silo.</summary>
public sealed class SingleProcessStack : TrackingStack
{
    protected override bool SiloInGateway => true;
}

public class SingleProcessTests(SingleProcessStack stack) : IClassFixture<SingleProcessStack>
{
    [Fact]
    public async Task Sends_tracks_and_redirects_with_the_silo_in_the_gateway()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<html><body><a href=\"https://shop.example/a?b=1\">a</a></body></html>");
        var click = new Uri((await client.GetEmail(id)).ClickLinks()[0]).PathAndQuery;

        var open = await stack.Http.GetAsync($"/v1/track/open/{id}");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal("image/gif", open.Content.Headers.ContentType?.MediaType);
        var redirect = await stack.Http.GetAsync(click);
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("https://shop.example/a?b=1", redirect.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Http.GetAsync(click + "x")).StatusCode);

        var email = await client.GetEmail(id);
        Assert.Equal(1, email["open_count"]!.GetValue<int>());
        Assert.Equal(1, email["click_count"]!.GetValue<int>());
        Assert.Equal(2, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type IN ('opened', 'clicked')", Guid.Parse(id)));
    }

    [Fact]
    public async Task Acknowledged_opens_survive_a_kill_of_the_one_process()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>kept</p>");
        var opens = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => stack.Http.GetAsync($"/v1/track/open/{id}")));
        Assert.All(opens, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var openedAt = (await client.GetEmail(id))["opened_at"]!.GetValue<DateTimeOffset>();

        await stack.CrashAndRestartSilo();

        var email = await client.GetEmail(id);
        Assert.Equal(20, email["open_count"]!.GetValue<int>());
        Assert.Equal(openedAt, email["opened_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(20, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened'", Guid.Parse(id)));
    }

    [Fact]
    public async Task The_one_process_opens_no_orleans_gateway_port()
    {
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync("/healthz")).StatusCode);
        Assert.False(await TrackingStack.Listening(System.Net.IPAddress.Loopback, stack.GatewayPort));
    }

    [Fact]
    public async Task Prometheus_metrics_count_requests_by_route_and_events_by_type_with_orleans_own()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>counted</p>");
        await stack.Http.GetAsync($"/v1/track/open/{id}");
        await stack.Http.GetAsync($"/v1/track/open/{Guid.NewGuid()}");

        // Counters are cumulative: what this test did shows as at least its own.
        await TrackingStack.Eventually(async () =>
        {
            var text = await stack.Http.GetStringAsync("/metrics");
            return Count(text, "tracking_events_recorded_total", "type=\"opened\"") >= 1
                && Count(text, "tracking_events_dropped_total", "reason=\"untracked\"") >= 1;
        }, "the open is counted, and the open of no email as dropped");
        var metrics = await stack.Http.GetStringAsync("/metrics");
        Assert.True(Count(metrics, "tracking_api_request_duration_seconds_count", "http_route=\"/v1/emails/\"") >= 1);
        Assert.True(Count(metrics, "tracking_api_request_duration_seconds_count", "http_response_status_code=\"200\"") >= 1);
        // The tracking endpoints are counted apart, by kind and status.
        Assert.True(Count(metrics, "tracking_hits_served_total", "kind=\"open\",status=\"200\"") >= 2);
        Assert.True(Count(metrics, "tracking_events_commit_duration_seconds_count", "") >= 1);
        Assert.True(Count(metrics, "tracking_events_commit_size_count", "") >= 1);
        Assert.Contains("tracking_outbox_depth", metrics);
        Assert.Contains("orleans_", metrics);

        // The sum of a metric's samples whose labels contain the given text.
        static double Count(string text, string metric, string label) => text.Split('\n')
            .Where(line => line.StartsWith(metric + "{") && line.Contains(label))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
