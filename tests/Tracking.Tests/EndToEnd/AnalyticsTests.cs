using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public class AnalyticsTests(TrackingStack stack)
{
    async Task<string> Send(HttpClient client, string tag, string html = "<html><body><a href=\"https://a.example/1\">1</a><a href=\"https://a.example/2\">2</a></body></html>")
    {
        var response = await client.SendEmail(new
        {
            from = "a@acme.example", to = $"r-{Guid.NewGuid():N}@example.com", subject = "s", html,
            tags = new[] { new { name = "campaign", value = tag } },
        });
        return (await response.Json())["id"]!.GetValue<string>();
    }

    async Task Open(string id, string? agent = null) =>
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.Hit($"/v1/track/open/{id}", agent)).StatusCode);

    /// <summary>A link scanner's click: a HEAD request.</summary>
    async Task ScannerClick(HttpClient client, string id, int link) =>
        Assert.Equal(HttpStatusCode.Found, (await stack.Http.Hit((await client.GetEmail(id)).ClickLinks()[link], null, HttpMethod.Head)).StatusCode);

    async Task Click(HttpClient client, string id, int link) =>
        Assert.Equal(HttpStatusCode.Found, (await stack.Http.GetAsync(new Uri((await client.GetEmail(id)).ClickLinks()[link]).PathAndQuery)).StatusCode);

    /// <summary>The figures counted straight from the events table, by the definitions the API documents.</summary>
    async Task<Dictionary<string, long>> Expected(string projectKey, DateTimeOffset from, DateTimeOffset to, string? tag = null, Guid? broadcast = null)
    {
        await using var command = stack.Db.CreateCommand("""
            WITH scoped AS (
                SELECT e.*, m.status AS email_status,
                       e.seq = min(e.seq) FILTER (WHERE e.type = 'opened') OVER (PARTITION BY e.email_id) AS first_open,
                       e.seq = min(e.seq) FILTER (WHERE e.type = 'clicked') OVER (PARTITION BY e.email_id) AS first_click,
                       e.seq = min(e.seq) FILTER (WHERE e.type = 'opened' AND e.machine IS NULL) OVER (PARTITION BY e.email_id) AS first_human_open,
                       e.seq = min(e.seq) FILTER (WHERE e.type = 'clicked' AND e.machine IS NULL) OVER (PARTITION BY e.email_id) AS first_human_click
                FROM email_events e JOIN email_contents m ON m.id = e.email_id
                JOIN api_keys k ON k.project_id = e.project_id
                WHERE k.key_hash = sha256(convert_to($1, 'UTF8'))
                  AND ($4::text IS NULL OR m.tags @> jsonb_build_array(jsonb_build_object('name', split_part($4, ':', 1), 'value', split_part($4, ':', 2))))
                  AND ($5::uuid IS NULL OR m.broadcast_id = $5)
            )
            SELECT count(*) FILTER (WHERE type = 'sent'),
                   count(*) FILTER (WHERE type = 'delivered' OR (type = 'sent' AND email_status = 'stored')),
                   count(*) FILTER (WHERE type = 'opened'),
                   count(*) FILTER (WHERE type = 'opened' AND first_open),
                   count(*) FILTER (WHERE type = 'clicked'),
                   count(*) FILTER (WHERE type = 'clicked' AND first_click),
                   count(*) FILTER (WHERE type = 'opened' AND machine IS NULL),
                   count(*) FILTER (WHERE type = 'opened' AND first_human_open),
                   count(*) FILTER (WHERE type = 'clicked' AND machine IS NULL),
                   count(*) FILTER (WHERE type = 'clicked' AND first_human_click),
                   count(*) FILTER (WHERE type = 'opened' AND machine = 'apple_privacy_proxy'),
                   count(*) FILTER (WHERE type = 'opened' AND machine = 'prefetch'),
                   count(*) FILTER (WHERE type = 'clicked' AND machine = 'link_scanner')
            FROM scoped WHERE created_at >= $2 AND created_at < $3
            """);
        command.Parameters.Add(new() { Value = projectKey });
        command.Parameters.Add(new() { Value = from });
        command.Parameters.Add(new() { Value = to });
        command.Parameters.Add(new() { Value = (object?)tag ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)broadcast ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new()
        {
            ["sent"] = reader.GetInt64(0), ["delivered"] = reader.GetInt64(1), ["opens"] = reader.GetInt64(2),
            ["unique_opens"] = reader.GetInt64(3), ["clicks"] = reader.GetInt64(4), ["unique_clicks"] = reader.GetInt64(5),
            ["human_opens"] = reader.GetInt64(6), ["unique_human_opens"] = reader.GetInt64(7), ["human_clicks"] = reader.GetInt64(8),
            ["unique_human_clicks"] = reader.GetInt64(9), ["machine_opens.apple_privacy_proxy"] = reader.GetInt64(10),
            ["machine_opens.prefetch"] = reader.GetInt64(11), ["machine_clicks.link_scanner"] = reader.GetInt64(12),
        };
    }

    static readonly Dictionary<string, string> Headline = new()
    {
        ["opens"] = "human_opens", ["unique_opens"] = "unique_human_opens", ["clicks"] = "human_clicks", ["unique_clicks"] = "unique_human_clicks",
    };

    static void AssertFigures(Dictionary<string, long> expected, JsonNode figures, string where, bool excludeMachine = false)
    {
        foreach (var (name, value) in expected)
        {
            // Excluding machines, the headline figures are people's.
            var want = excludeMachine && Headline.TryGetValue(name, out var human) ? expected[human] : value;
            var got = name.Split('.').Aggregate(figures, (node, part) => node[part]!).GetValue<long>();
            Assert.True(want == got, $"{where}: {name} expected {want}, got {got}");
        }
        decimal Rate(long part, long whole) => whole == 0 ? 0 : Math.Round(100m * part / whole, 2, MidpointRounding.AwayFromZero);
        var (opens, clicks) = excludeMachine ? ("unique_human_opens", "unique_human_clicks") : ("unique_opens", "unique_clicks");
        Assert.Equal(Rate(expected[opens], expected["delivered"]), figures["open_rate"]!.GetValue<decimal>());
        Assert.Equal(Rate(expected[clicks], expected["delivered"]), figures["click_rate"]!.GetValue<decimal>());
        Assert.Equal(Rate(expected[clicks], expected[opens]), figures["click_to_open_rate"]!.GetValue<decimal>());
        Assert.Equal(Rate(expected["unique_human_opens"], expected["delivered"]), figures["human_open_rate"]!.GetValue<decimal>());
        Assert.Equal(Rate(expected["unique_human_clicks"], expected["delivered"]), figures["human_click_rate"]!.GetValue<decimal>());
        Assert.Equal(Rate(expected["unique_human_clicks"], expected["unique_human_opens"]), figures["human_click_to_open_rate"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Each_of_fifty_tags_counts_in_rows_of_its_own_and_hours_past_retention_are_dropped()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        var response = await client.SendEmail(new
        {
            from = "a@acme.example", to = "bob@example.com", subject = "tags", text = "x",
            tags = Enumerable.Range(0, 50).Select(i => new { name = $"t{i}", value = "v" }),
        });
        var id = (await response.Json())["id"]!.GetValue<string>();
        await Open(id);
        await Open(id);
        await stack.Backdate(id, "opened", TimeSpan.FromDays(100));

        foreach (var tag in new[] { "t0", "t17", "t49" })
        {
            var totals = (await (await client.GetAsync($"/v1/metrics?days=7&tag={tag}:v")).Json())["totals"]!;
            Assert.Equal(2, totals["opens"]!.GetValue<long>());
            Assert.Equal(1, totals["sent"]!.GetValue<long>());
        }
        var project = await ProjectOf(key);
        Assert.Equal(51, await stack.Scalar("SELECT count(DISTINCT scope) FROM metric_hours WHERE project_id = $1", project));
        Assert.Equal(0, await stack.Scalar(
            "SELECT count(*) FROM metric_hours WHERE project_id = $1 AND hour < extract(epoch FROM now() - interval '92 days') / 3600", project));
    }

    async Task<Guid> ProjectOf(string key)
    {
        await using var command = stack.Db.CreateCommand("SELECT project_id FROM api_keys WHERE key_hash = sha256(convert_to($1, 'UTF8'))");
        command.Parameters.Add(new() { Value = key });
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Metrics_agree_exactly_with_the_events_table_across_emails_tags_and_hours()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        var a = new List<string>();
        var b = new List<string>();
        for (var i = 0; i < 4; i++) a.Add(await Send(client, "alpha"));
        for (var i = 0; i < 3; i++) b.Add(await Send(client, "beta"));
        // Live: repeat opens, clicks on both links, an email clicked without an open.
        await Open(a[0]); await Open(a[0]); await Open(a[1]); await Open(b[0]);
        await Click(client, a[0], 0); await Click(client, a[0], 0); await Click(client, a[0], 1); await Click(client, b[1], 1);
        // Machines: Apple's proxy before the person's open, a prefetch alone, a scanner before and without a person.
        await Open(b[1], "Mozilla/5.0"); await Open(b[1]); await Open(a[1], "curl/8.5.0");
        await ScannerClick(client, b[0], 0); await ScannerClick(client, a[1], 1); await Click(client, b[0], 0);
        // Earlier hours and days, on emails with no live events.
        await stack.Backdate(a[2], "opened", TimeSpan.FromHours(3));
        await stack.Backdate(a[2], "opened", TimeSpan.FromHours(2));
        await stack.Backdate(a[2], "clicked", TimeSpan.FromHours(2), "https://a.example/2");
        await stack.Backdate(b[2], "opened", TimeSpan.FromHours(30));
        await stack.Backdate(b[2], "clicked", TimeSpan.FromHours(29), "https://a.example/1");
        await stack.Backdate(a[3], "opened", TimeSpan.FromDays(12));
        await stack.Backdate(b[2], "opened", TimeSpan.FromHours(31), machine: "apple_privacy_proxy");
        await stack.Backdate(a[3], "clicked", TimeSpan.FromDays(12), "https://a.example/1", machine: "link_scanner");
        var broadcast = await (await client.PostAsJsonAsync("/v1/broadcasts", new
        {
            from = "a@acme.example", subject = "b", html = "<a href=\"https://a.example/1\">1</a>",
            recipients = new[] { new { to = "x1@example.com" }, new { to = "x2@example.com" } },
        })).Json();
        var broadcastId = Guid.Parse(broadcast["id"]!.GetValue<string>());
        await Open(broadcast["emails"]![0]!["id"]!.GetValue<string>());
        // Let deliveries finish, so the figures are still when compared.
        await TrackingStack.Eventually(async () =>
            (await stack.Scalar("SELECT count(*) FROM emails m JOIN api_keys k ON k.project_id = m.project_id WHERE k.key_hash = sha256(convert_to($1, 'UTF8')) AND m.status <> 'sent'", key)) == 0,
            "every email is delivered");

        foreach (var (groupBy, days) in new[] { ("hour", 2), ("day", 7), ("day", 1), ("day", 30) })
        foreach (var (tag, b2) in new (string?, Guid?)[] { (null, null), ("campaign:alpha", null), ("campaign:beta", null), (null, broadcastId) })
        foreach (var human in new[] { false, true })
        {
            var query = $"/v1/metrics?days={days}&group_by={groupBy}" + (tag is null ? "" : $"&tag={tag}") + (b2 is null ? "" : $"&broadcast_id={b2}")
                + (human ? "&exclude_machine=true" : "");
            var report = await (await client.GetAsync(query)).Json();
            var from = report["from"]!.GetValue<DateTimeOffset>();
            var to = report["to"]!.GetValue<DateTimeOffset>();
            Assert.Equal(groupBy == "hour" ? days * 24 : days, report["series"]!.AsArray().Count);
            AssertFigures(await Expected(key, from, to, tag, b2), report["totals"]!, query, human);
            foreach (var bucket in report["series"]!.AsArray())
            {
                var start = bucket!["start"]!.GetValue<DateTimeOffset>();
                var end = start + (groupBy == "hour" ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1));
                AssertFigures(await Expected(key, start, end, tag, b2), bucket["figures"]!, $"{query} @ {start:O}", human);
            }
        }
        // The traffic above has machines of every reason, and people among them.
        var all = await (await client.GetAsync("/v1/metrics?days=30")).Json();
        Assert.All(new[] { "apple_privacy_proxy", "prefetch" }, r => Assert.True(all["totals"]!["machine_opens"]![r]!.GetValue<long>() > 0, r));
        Assert.True(all["totals"]!["machine_clicks"]!["link_scanner"]!.GetValue<long>() > 0);

        var links = (await (await client.GetAsync("/v1/metrics/links?days=7")).Json())["data"]!.AsArray();
        // Most clicked first; machines' clicks count here as in the raw figures.
        Assert.Equal(2, links.Count);
        Assert.Equal("https://a.example/1", links[0]!["url"]!.GetValue<string>());
        Assert.Equal(5, links[0]!["clicks"]!.GetValue<long>());
        Assert.Equal(3, links[0]!["unique_clicks"]!.GetValue<long>());
        Assert.Equal("https://a.example/2", links[1]!["url"]!.GetValue<string>());
        Assert.Equal(4, links[1]!["clicks"]!.GetValue<long>());
        Assert.Equal(4, links[1]!["unique_clicks"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_empty_project_has_zero_rates_and_every_bucket()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var report = await (await client.GetAsync("/v1/metrics?days=3&group_by=hour")).Json();
        Assert.Equal(72, report["series"]!.AsArray().Count);
        Assert.Equal(0m, report["totals"]!["open_rate"]!.GetValue<decimal>());
        Assert.Equal(0, report["totals"]!["delivered"]!.GetValue<long>());
        var start = report["series"]![1]!["start"]!.GetValue<DateTimeOffset>();
        Assert.Equal(0, start.Minute);
        Assert.Equal(TimeSpan.Zero, start.Offset);
    }

    [Theory]
    [InlineData("/v1/metrics?days=0", "days")]
    [InlineData("/v1/metrics?days=91", "days")]
    [InlineData("/v1/metrics?group_by=week", "group_by")]
    [InlineData("/v1/metrics?tag=nocolon", "tag")]
    [InlineData("/v1/metrics?broadcast_id=x", "broadcast_id")]
    [InlineData("/v1/metrics/links?days=abc", "days")]
    [InlineData("/v1/events?days=100", "days")]
    [InlineData("/v1/events?limit=0", "limit")]
    [InlineData("/v1/events?limit=101", "limit")]
    [InlineData("/v1/events?offset=-1", "offset")]
    [InlineData("/v1/events?event_type=bounced", "event_type")]
    [InlineData("/v1/events?email_id=nope", "email_id")]
    [InlineData("/v1/events?cursor=garbage", "cursor")]
    [InlineData("/v1/events?cursor=AAAAAAAAAAE&offset=5", "offset")]
    public async Task Out_of_range_parameters_are_a_422_naming_them(string path, string parameter)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]![parameter]);
    }

    [Fact]
    public async Task Events_are_listed_newest_first_with_filters_tags_and_a_cursor_that_holds_while_events_arrive()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await Send(client, "gamma");
        await TrackingStack.Eventually(async () => (await client.GetEmail(id))["status"]!.GetValue<string>() == "sent", "the email is sent");
        for (var i = 0; i < 5; i++) await Open(id);
        await Click(client, id, 0);

        var opened = await (await client.GetAsync($"/v1/events?email_id={id}&event_type=opened")).Json();
        Assert.Equal(5, opened["total"]!.GetValue<long>());
        Assert.All(opened["data"]!.AsArray(), e => Assert.Equal("opened", e!["type"]!.GetValue<string>()));
        var first = opened["data"]![0]!;
        Assert.StartsWith("evt_", first["id"]!.GetValue<string>());
        Assert.Equal(id, first["email_id"]!.GetValue<string>());
        Assert.Equal("gamma", first["tags"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("127.0.0.0", first["ip_address"]!.GetValue<string>());

        var all = await (await client.GetAsync($"/v1/events?email_id={id}&limit=100")).Json();
        var ids = all["data"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()).ToList();
        var times = all["data"]!.AsArray().Select(e => e!["created_at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal("clicked", all["data"]![0]!["type"]!.GetValue<string>());

        var page1 = await (await client.GetAsync($"/v1/events?email_id={id}&limit=3")).Json();
        Assert.True(page1["has_more"]!.GetValue<bool>());
        await Open(id); // arrives between pages
        var cursor = page1["next_cursor"]!.GetValue<string>();
        var rest = new List<string>();
        while (cursor is not null)
        {
            var page = await (await client.GetAsync($"/v1/events?email_id={id}&limit=3&cursor={cursor}")).Json();
            rest.AddRange(page["data"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        Assert.Equal(ids, page1["data"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()).Concat(rest));

        var offsetPage = await (await client.GetAsync($"/v1/events?email_id={id}&limit=2&offset=2")).Json();
        Assert.Equal(2, offsetPage["offset"]!.GetValue<int>());
        Assert.Equal(2, offsetPage["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task The_events_total_without_a_filter_agrees_with_the_table()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        var id = await Send(client, "delta");
        await Open(id); await Open(id); await Click(client, id, 1);
        await TrackingStack.Eventually(async () => (await client.GetEmail(id))["status"]!.GetValue<string>() == "sent", "the email is sent");

        foreach (var type in new[] { "", "&event_type=opened", "&event_type=clicked", "&event_type=sent", "&event_type=delivered" })
        {
            var page = await (await client.GetAsync($"/v1/events?days=1{type}")).Json();
            var expected = await stack.Scalar("""
                SELECT count(*) FROM email_events e JOIN api_keys k ON k.project_id = e.project_id
                WHERE k.key_hash = sha256(convert_to($1, 'UTF8')) AND ($2 = '' OR e.type = $2)
                """, key, type.Replace("&event_type=", ""));
            Assert.Equal(expected, page["total"]!.GetValue<long>());
            Assert.Equal(expected, page["data"]!.AsArray().Count);
        }
    }

    [Fact]
    public async Task Another_projects_events_are_not_listed()
    {
        using var alice = stack.ClientFor(await stack.CreateProject());
        using var mallory = stack.ClientFor(await stack.CreateProject());
        var id = await Send(alice, "eps");
        await Open(id);
        var page = await (await mallory.GetAsync($"/v1/events?email_id={id}")).Json();
        Assert.Empty(page["data"]!.AsArray());
        Assert.Equal(0, page["total"]!.GetValue<long>());
        Assert.Equal(0, (await (await mallory.GetAsync("/v1/metrics")).Json())["totals"]!["opens"]!.GetValue<long>());
    }
}
