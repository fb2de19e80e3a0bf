using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>API requests crafted to make the service fail or store without bound: each is a 4xx naming the field.</summary>
[Collection(StackCollection.Name)]
public class HostileRequestsTests(TrackingStack stack)
{
    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    const string Base = "\"from\":\"a@acme.example\",\"to\":\"bob@example.com\"";

    // Escapes as they appear in the JSON body: \u0000 is a NUL, \ud800 a lone surrogate.
    [Theory]
    [InlineData("{" + Base + ",\"subject\":\"Hi \\u0000\",\"text\":\"x\"}", "subject")]
    [InlineData("{" + Base + ",\"subject\":\"Hi \\ud800\",\"text\":\"x\"}", "subject")]
    [InlineData("{" + Base + ",\"subject\":\"Hi\",\"html\":\"<p>\\u0000</p>\"}", "html")]
    [InlineData("{" + Base + ",\"subject\":\"Hi\",\"html\":\"<p>\\udc00</p>\"}", "html")]
    [InlineData("{" + Base + ",\"subject\":\"Hi\",\"text\":\"a\\u0000b\"}", "text")]
    [InlineData("{" + Base + ",\"subject\":\"Hi\",\"text\":\"x\",\"headers\":{\"X-A\":\"a\\u0000\"}}", "headers.X-A")]
    [InlineData("{" + Base + ",\"subject\":\"Hi\",\"text\":\"x\",\"headers\":{\"X-\\u0000\":\"a\"}}", "headers.X-")]
    [InlineData("{" + Base + ",\"subject\":\"Hi\",\"text\":\"x\",\"attachments\":[{\"filename\":\"a\\u0000.pdf\",\"content\":\"AAAA\"}]}", "attachments[0].filename")]
    [InlineData("{\"from\":\"a\\u0000@acme.example\",\"to\":\"bob@example.com\",\"subject\":\"Hi\",\"text\":\"x\"}", "from")]
    [InlineData("{\"from\":\"a@acme.example\",\"to\":\"bob\\ud800@example.com\",\"subject\":\"Hi\",\"text\":\"x\"}", "to")]
    [InlineData("{\"from\":\"a@acme.example\",\"to\":\"bob@example.com\",\"cc\":[\"c@example.com\",\"d\\u0000@example.com\"],\"subject\":\"Hi\",\"text\":\"x\"}", "cc[1]")]
    public async Task Text_the_database_cannot_store_is_a_422_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var before = await stack.Scalar("SELECT count(*) FROM emails");
        var response = await client.PostAsync("/v1/emails", Json(body));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Json())["errors"]!.AsObject();
        Assert.Contains(errors, e => e.Key == field);
        Assert.Equal(before, await stack.Scalar("SELECT count(*) FROM emails"));
    }

    [Fact]
    public async Task A_broadcast_with_a_nul_in_its_html_is_a_422()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PostAsync("/v1/broadcasts", Json(
            "{\"from\":\"a@acme.example\",\"subject\":\"Hi\",\"html\":\"<p>\\u0000</p>\",\"recipients\":[{\"to\":\"bob@example.com\"}]}"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]!["html"]);
    }

    [Fact]
    public async Task A_webhook_url_with_a_nul_is_a_422()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PostAsync("/v1/webhooks", Json("{\"url\":\"http://127.0.0.1/\\u0000\",\"events\":[\"email.opened\"]}"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]!["url"]);
    }

    [Fact]
    public async Task More_distinct_links_than_a_click_link_can_number_is_a_422()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var html = new StringBuilder("<html><body>");
        // Short links, so the html stays under its own size limit.
        for (var i = 0; i <= ushort.MaxValue; i++) html.Append("<a href=http://a.b/").Append(i).Append('>');
        var response = await client.SendEmail(new { from = "a@acme.example", to = "bob@example.com", subject = "Links", html = html.ToString() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("65535", (await response.Json())["errors"]!["html"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("html")]
    [InlineData("text")]
    public async Task Content_over_2_MB_is_a_422(string field)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var body = new JsonObject { ["from"] = "a@acme.example", ["to"] = "bob@example.com", ["subject"] = "Big", [field] = new string('x', 2 * 1024 * 1024 + 1) };
        var response = await client.PostAsync("/v1/emails", Json(body.ToJsonString()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]![field]);
    }

    [Fact]
    public async Task More_than_50_tags_or_headers_is_a_422()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.SendEmail(new
        {
            from = "a@acme.example", to = "bob@example.com", subject = "Tags", text = "x",
            tags = Enumerable.Range(0, 51).Select(i => new { name = $"t{i}", value = "v" }),
            headers = Enumerable.Range(0, 51).ToDictionary(i => $"X-H{i}", _ => "v"),
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.Json())["errors"]!;
        Assert.NotNull(errors["tags"]);
        Assert.NotNull(errors["headers"]);
    }

    [Fact]
    public async Task A_body_over_30_MB_is_a_413_problem()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var body = new JsonObject { ["from"] = "a@acme.example", ["to"] = "bob@example.com", ["subject"] = "Big", ["text"] = new string('x', 31_000_000) };
        // Expecting 100-continue, the client waits for the verdict instead of writing into a closed connection.
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/emails") { Content = Json(body.ToJsonString()) };
        request.Headers.ExpectContinue = true;
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/v1/emails?offset=10001")]
    [InlineData("/v1/events?offset=10001")]
    [InlineData("/v1/emails?offset=99999999999")]
    [InlineData("/v1/emails?cursor=not-a-cursor")]
    [InlineData("/v1/emails?cursor=AAAAAAAAAAE&offset=1")]
    public async Task Deep_offsets_and_foreign_cursors_are_422s(string path)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.Json())["errors"]!.AsObject();
        Assert.Single(errors);
        Assert.Contains(errors.Single().Key, new[] { "offset", "cursor" });
    }

    [Fact]
    public async Task Emails_page_by_cursor_without_gaps_or_repeats()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var sent = new List<string>();
        for (var i = 0; i < 5; i++) sent.Add(await client.SendTracked($"<p>{i}</p>"));

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync("/v1/emails?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"))).Json();
            seen.AddRange(page["data"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
            Assert.Equal(cursor is not null, page["has_more"]!.GetValue<bool>());
            // An email sent meanwhile is newer than every page: it moves nothing.
            if (seen.Count == 2) await client.SendTracked("<p>late</p>");
        } while (cursor is not null);
        Assert.Equal(Enumerable.Reverse(sent), seen);
    }
}
