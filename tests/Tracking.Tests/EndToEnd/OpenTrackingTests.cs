using System.Net;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public class OpenTrackingTests(TrackingStack stack)
{
    static readonly byte[] TransparentGif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==");

    static async Task AssertIsThePixel(HttpResponseMessage response, bool withBody = true)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/gif", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store, no-cache, must-revalidate, proxy-revalidate", response.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal("no-cache", response.Headers.NonValidated["Pragma"].ToString());
        Assert.Equal("0", response.Content.Headers.GetValues("Expires").Single());
        Assert.Equal(43, response.Content.Headers.ContentLength);
        if (withBody) Assert.Equal(TransparentGif, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_pixel_records_an_open_with_ip_and_user_agent()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<html><body>hi</body></html>");

        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/track/open/{id}");
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (TestMail)");
        await AssertIsThePixel(await stack.Http.SendAsync(request));

        var email = await client.GetEmail(id);
        Assert.Equal(1, email["open_count"]!.GetValue<int>());
        Assert.NotNull(email["opened_at"]);
        Assert.Equal(1, await stack.Scalar(
            "SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened' AND user_agent = 'Mozilla/5.0 (TestMail)' AND ip_address = '127.0.0.0'",
            Guid.Parse(id)));
    }

    [Fact]
    public async Task The_first_open_wins_under_50_concurrent_opens()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>hi</p>");

        var opens = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => stack.Http.GetAsync($"/v1/track/open/{id}")));
        Assert.All(opens, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var email = await client.GetEmail(id);
        Assert.Equal(50, email["open_count"]!.GetValue<int>());
        Assert.Equal(50, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened'", Guid.Parse(id)));
        await using var command = stack.Db.CreateCommand("SELECT min(created_at) FROM email_events WHERE email_id = $1 AND type IN ('opened', 'clicked')");
        command.Parameters.Add(new() { Value = Guid.Parse(id) });
        var first = (DateTime)(await command.ExecuteScalarAsync())!;
        Assert.Equal(new DateTimeOffset(first, TimeSpan.Zero), email["opened_at"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));

        // A later open counts but does not move opened_at.
        await stack.Http.GetAsync($"/v1/track/open/{id}");
        var later = await client.GetEmail(id);
        Assert.Equal(51, later["open_count"]!.GetValue<int>());
        Assert.Equal(email["opened_at"]!.GetValue<DateTimeOffset>(), later["opened_at"]!.GetValue<DateTimeOffset>());
    }

    [Theory]
    [InlineData("/v1/track/open/00000000-0000-0000-0000-000000000001")]
    [InlineData("/v1/track/open/not-a-uuid")]
    [InlineData("/v1/track/open/")]
    [InlineData("/v1/track/open/a/b/c/../d")]
    [InlineData("/v1/track/open/%ff%fe")]
    [InlineData("/v1/track/open/12345678-1234-1234-1234-123456789abc.gif?x=1&x=2")]
    [InlineData("/v1/track/open/%E2%98%83?<script>=1")]
    public async Task Unknown_or_malformed_ids_still_get_the_gif_and_record_nothing(string path)
    {
        var before = await stack.Scalar("SELECT count(*) FROM email_events WHERE type IN ('opened', 'clicked')");
        await AssertIsThePixel(await stack.Http.GetAsync(path));
        Assert.Equal(before, await stack.Scalar("SELECT count(*) FROM email_events WHERE type IN ('opened', 'clicked')"));
    }

    [Theory]
    [InlineData("/v1/track/open/%00")]
    [InlineData("/v1/track/click/%00")]
    public async Task A_request_line_the_web_server_rejects_is_a_plain_400(string path)
    {
        // Kestrel refuses a NUL in the path before any endpoint runs: no redirect, no event, no 5xx.
        var before = await stack.Scalar("SELECT count(*) FROM email_events WHERE type IN ('opened', 'clicked')");
        var response = await stack.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal(before, await stack.Scalar("SELECT count(*) FROM email_events WHERE type IN ('opened', 'clicked')"));
    }

    [Fact]
    public async Task Head_serves_the_headers_and_records_nothing()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>hi</p>");
        var response = await stack.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v1/track/open/{id}"));
        await AssertIsThePixel(response, withBody: false);
        Assert.Equal(0, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_pixel_url_with_a_gif_suffix_is_recorded_too()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>hi</p>");
        await AssertIsThePixel(await stack.Http.GetAsync($"/v1/track/open/{id}.gif"));
        Assert.Equal(1, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_open_committed_late_with_a_smaller_sequence_number_is_still_counted_once()
    {
        // In a cluster every silo's event log commits on its own, so an insert can take a sequence number and
        // commit after a larger one was read. A transaction of the test's plays the other silo's log.
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>late</p>");
        await using var otherSilo = await stack.Db.OpenConnectionAsync();
        await using var transaction = await otherSilo.BeginTransactionAsync();
        await using (var insert = new Npgsql.NpgsqlCommand("""
            INSERT INTO email_events (id, email_id, project_id, type, created_at)
            SELECT gen_random_uuid(), id, project_id, 'opened', now() FROM emails WHERE id = $1
            """, otherSilo, transaction))
        {
            insert.Parameters.Add(new() { Value = Guid.Parse(id) });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await AssertIsThePixel(await stack.Http.GetAsync($"/v1/track/open/{id}"));
        Assert.Equal(1, (await client.GetEmail(id))["open_count"]!.GetValue<int>());

        await transaction.CommitAsync();
        Assert.Equal(2, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
        Assert.Equal(2, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
    }
}
