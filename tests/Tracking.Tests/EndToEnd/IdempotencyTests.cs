using System.Net;
using System.Net.Http.Json;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>The Idempotency-Key header of POST /v1/emails and /v1/emails/batch.</summary>
[Collection(StackCollection.Name)]
public class IdempotencyTests(TrackingStack stack)
{
    static object Email(string subject = "Order 1042") =>
        new { from = "Acme <orders@acme.example>", to = "ada@example.com", subject, html = "<p>Thanks <a href=\"https://acme.example/o/1042\">order</a></p>" };

    static Task<HttpResponseMessage> Post(HttpClient client, string path, object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task A_retry_with_the_same_key_gets_the_same_email_and_sends_nothing_more()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var key = $"order-1042/{Guid.NewGuid()}";

        var first = await Post(client, "/v1/emails", Email(), key);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        var id = (await first.Json())["id"]!.GetValue<string>();

        var retry = await Post(client, "/v1/emails", Email(), key);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        var again = await retry.Json();
        Assert.Equal(id, again["id"]!.GetValue<string>());
        Assert.Equal((await first.Json())["created_at"]!.ToString(), again["created_at"]!.ToString());

        Assert.Equal(1, await stack.Scalar("SELECT count(*) FROM emails WHERE id = $1", Guid.Parse(id)));
        Assert.Equal(1, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'sent'", Guid.Parse(id)));
        // Without a key, the same request is another email.
        var unkeyed = await Post(client, "/v1/emails", Email(), null);
        Assert.NotEqual(id, (await unkeyed.Json())["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_make_one_email()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var key = Guid.NewGuid().ToString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Post(client, "/v1/emails", Email(), key)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Json())["id"]!.GetValue<string>()));
        Assert.Single(ids.Distinct());
        Assert.Equal(9, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal(1, await stack.Scalar("SELECT count(*) FROM emails WHERE id = $1", Guid.Parse(ids[0])));
    }

    [Fact]
    public async Task The_same_key_for_a_different_email_is_a_conflict_and_changes_nothing()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var key = Guid.NewGuid().ToString();
        var id = (await (await Post(client, "/v1/emails", Email(), key)).Json())["id"]!.GetValue<string>();

        var other = await Post(client, "/v1/emails", Email("Order 1043"), key);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        Assert.Equal(409, (await other.Json())["status"]!.GetValue<int>());
        Assert.Equal("Order 1042", (await client.GetEmail(id))["subject"]!.GetValue<string>());
        Assert.Equal(1, await stack.Scalar("SELECT count(*) FROM emails WHERE subject LIKE 'Order 104%' AND project_id = (SELECT project_id FROM emails WHERE id = $1)", Guid.Parse(id)));
    }

    [Fact]
    public async Task A_rejected_request_does_not_use_up_its_key_and_keys_are_per_project()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        using var otherProject = stack.ClientFor(await stack.CreateProject());
        var key = Guid.NewGuid().ToString();

        var invalid = await Post(client, "/v1/emails", new { from = "not an address", to = "ada@example.com", subject = "x", html = "<p>x</p>" }, key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        var valid = await Post(client, "/v1/emails", Email(), key);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.False(valid.Headers.Contains("Idempotent-Replayed"));

        var elsewhere = await Post(otherProject, "/v1/emails", Email("Something else"), key);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        Assert.NotEqual((await valid.Json())["id"]!.ToString(), (await elsewhere.Json())["id"]!.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\tinside")]
    public async Task A_malformed_key_is_a_400_and_sends_nothing(string key)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await Post(client, "/v1/emails", Email($"malformed {key}"), key);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await stack.Scalar("SELECT count(*) FROM emails WHERE subject = $1", $"malformed {key}"));

        var tooLong = await Post(client, "/v1/emails", Email(), new string('k', 257));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post(client, "/v1/emails", Email(), new string('k', 256))).StatusCode);
    }

    [Fact]
    public async Task A_batch_retried_with_its_key_gets_the_same_emails_and_a_changed_item_is_refused()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var key = Guid.NewGuid().ToString();
        object[] batch = [Email("a"), Email("b")];

        var first = (await (await Post(client, "/v1/emails/batch", batch, key)).Json())["data"]!.AsArray();
        var retry = (await (await Post(client, "/v1/emails/batch", batch, key)).Json())["data"]!.AsArray();
        Assert.Equal(first.Select(d => d!["id"]!.ToString()), retry.Select(d => d!["id"]!.ToString()));

        var changed = (await (await Post(client, "/v1/emails/batch", new object[] { Email("a"), Email("c") }, key)).Json())["data"]!.AsArray();
        Assert.Equal(first[0]!["id"]!.ToString(), changed[0]!["id"]!.ToString());
        Assert.NotNull(changed[1]!["errors"]);
        Assert.Equal("b", (await client.GetEmail(first[1]!["id"]!.ToString()))["subject"]!.GetValue<string>());
    }
}
