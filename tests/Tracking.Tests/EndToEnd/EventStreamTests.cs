using System.Net;
using System.Text.Json.Nodes;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>GET /v1/events/stream: the project's events as Server-Sent Events, resumable with Last-Event-ID.</summary>
[Collection(StackCollection.Name)]
public class EventStreamTests(TrackingStack stack)
{
    sealed record Received(string Id, string Type, JsonNode Data);

    /// <summary>Reads events from an open stream until <paramref name="opens"/> opens have come (or the test's patience ends).</summary>
    static async Task<List<Received>> Read(StreamReader reader, int opens)
    {
        var received = new List<Received>();
        string? id = null, type = null, data = null;
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // An event is its fields up to a blank line, in any order.
        while (received.Count(e => e.Type == "opened") < opens && await reader.ReadLineAsync(patience.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null) received.Add(new Received(id!, type!, JsonNode.Parse(data)!));
                (id, type, data) = (null, null, null);
            }
            else if (line.StartsWith("id:")) id = line[3..].TrimStart();
            else if (line.StartsWith("event:")) type = line[6..].TrimStart();
            else if (line.StartsWith("data:")) data = line[5..].TrimStart();
        }
        return received;
    }

    static async Task<(HttpResponseMessage Response, StreamReader Reader)> Open(HttpClient client, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events/stream");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    [Fact]
    public async Task New_events_arrive_live_and_a_reconnect_goes_on_without_gaps_or_repeats()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        client.Timeout = Timeout.InfiniteTimeSpan;
        var id = await client.SendTracked("<p>live</p>");

        var (first, reader) = await Open(client);
        await stack.Http.GetAsync($"/v1/track/open/{id}");
        var before = await Read(reader, 1);
        // The email's delivery may come first: the stream has every kind of event.
        var opened = before.Single(e => e.Type == "opened");
        Assert.Same(opened, before[^1]);
        Assert.Equal(id, opened.Data["email_id"]!.GetValue<string>());
        Assert.StartsWith("evt_", opened.Data["id"]!.GetValue<string>());
        first.Dispose();

        // While nobody listens: three more opens.
        for (var i = 0; i < 3; i++) await stack.Http.GetAsync($"/v1/track/open/{id}");
        var (second, resumed) = await Open(client, opened.Id);
        using (second)
        {
            var missed = await Read(resumed, 3);
            Assert.Equal(3, missed.Count(e => e.Type == "opened"));
            var ids = missed.Select(e => e.Data["id"]!.GetValue<string>()).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Empty(ids.Intersect(before.Select(e => e.Data["id"]!.GetValue<string>())));
            // Every open is in the log, and the two reads together hold each exactly once.
            Assert.Equal(4, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened'", Guid.Parse(id)));
        }
    }

    [Fact]
    public async Task An_event_that_commits_late_is_streamed_before_the_later_ones_not_skipped()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        client.Timeout = Timeout.InfiniteTimeSpan;
        var id = await client.SendTracked("<p>late</p>", new { open = true, click = false });
        var (response, reader) = await Open(client);
        using (response)
        {
            // An open written by a transaction that stays open while another open commits.
            await using var connection = await stack.Db.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var late = Guid.CreateVersion7();
            await using (var insert = new Npgsql.NpgsqlCommand("""
                INSERT INTO email_events (id, email_id, project_id, type, created_at)
                SELECT $1, id, project_id, 'opened', now() FROM emails WHERE id = $2
                """, connection, transaction))
            {
                insert.Parameters.Add(new() { Value = late });
                insert.Parameters.Add(new() { Value = Guid.Parse(id) });
                await insert.ExecuteNonQueryAsync();
            }
            await stack.Http.GetAsync($"/v1/track/open/{id}");
            await Task.Delay(TimeSpan.FromSeconds(1));
            await transaction.CommitAsync();

            var opens = (await Read(reader, 2)).Where(e => e.Type == "opened").Select(e => e.Data["id"]!.GetValue<string>()).ToList();
            Assert.Equal(2, opens.Count);
            Assert.Equal($"evt_{late:N}", opens[0]);
        }
    }

    [Fact]
    public async Task A_last_event_id_this_api_did_not_give_is_a_422()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events/stream");
        request.Headers.Add("Last-Event-ID", "not-a-cursor");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]!["Last-Event-ID"]);
    }

    [Fact]
    public async Task An_idle_stream_answers_at_once_and_then_keeps_showing_it_is_alive()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        client.Timeout = Timeout.InfiniteTimeSpan;
        // No event at all: the headers come anyway, and then the heartbeat (every second in the tests' settings).
        var (response, reader) = await Open(client);
        using (response)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Assert.Equal(": still here", await reader.ReadLineAsync(patience.Token));
            Assert.Equal("", await reader.ReadLineAsync(patience.Token));
            Assert.Equal(": still here", await reader.ReadLineAsync(patience.Token));
        }
    }

    [Fact]
    public async Task A_project_follows_at_most_ten_streams_across_gateways_and_a_closed_one_frees_its_place()
    {
        var key = await stack.CreateProject();
        using var first = stack.ClientFor(key);
        using var second = stack.ClientFor(key);
        first.Timeout = second.Timeout = Timeout.InfiniteTimeSpan;
        second.BaseAddress = await stack.AnotherGateway();
        var open = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++) open.Add((await Open(i % 2 == 0 ? first : second)).Response);

        foreach (var client in new[] { first, second })
        {
            using var refused = await client.GetAsync("/v1/events/stream", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        // Another project is not held back by this one.
        using (var other = stack.ClientFor(await stack.CreateProject())) (await Open(other)).Response.Dispose();

        open[3].Dispose();
        await TrackingStack.Eventually(async () =>
        {
            var again = await second.GetAsync("/v1/events/stream", HttpCompletionOption.ResponseHeadersRead);
            if (again.StatusCode == HttpStatusCode.OK) open.Add(again);
            else again.Dispose();
            return again.StatusCode == HttpStatusCode.OK;
        }, "a closed stream's place is free again", seconds: 20);
        foreach (var response in open) response.Dispose();
    }
}
