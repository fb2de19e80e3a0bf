using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>API keys made, listed and revoked through the API, their permissions, and the operator's command.</summary>
[Collection(StackCollection.Name)]
public class ApiKeyManagementTests(TrackingStack stack)
{
    static readonly object Email = new { from = "a@acme.example", to = "bob@example.com", subject = "Hi", text = "Hello" };

    async Task<(string Id, string Key)> MakeKey(HttpClient client, string name, string? permission = null)
    {
        var response = await client.PostAsJsonAsync("/v1/api-keys", permission is null ? new { name } : (object)new { name, permission });
        var body = await response.Json();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return (body["id"]!.GetValue<string>(), body["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_key_is_shown_once_and_listed_by_its_prefix_with_when_it_was_last_used()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var (id, key) = await MakeKey(client, "billing");
        using var billing = stack.ClientFor(key);
        Assert.Equal(HttpStatusCode.OK, (await billing.GetAsync("/v1/emails")).StatusCode);

        var listed = (await (await client.GetAsync("/v1/api-keys")).Json())["data"]!.AsArray();
        Assert.Equal(2, listed.Count);
        var made = listed.Single(k => k!["id"]!.GetValue<string>() == id)!;
        Assert.Equal("billing", made["name"]!.GetValue<string>());
        Assert.Equal("full_access", made["permission"]!.GetValue<string>());
        Assert.Equal(key[..7], made["prefix"]!.GetValue<string>());
        Assert.Null(made["key"]);
        Assert.DoesNotContain(key, listed.ToJsonString());
        Assert.NotNull(made["last_used_at"]?.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task A_sending_key_may_send_and_nothing_else()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var (_, key) = await MakeKey(client, "app server", "sending_access");
        using var sender = stack.ClientFor(key);

        Assert.Equal(HttpStatusCode.OK, (await sender.SendEmail(Email)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sender.PostAsJsonAsync("/v1/emails/batch", new[] { Email })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sender.PostAsJsonAsync("/v1/broadcasts",
            new { from = "a@acme.example", subject = "Hi", text = "Hello", recipients = new[] { new { to = "bob@example.com" } } })).StatusCode);
        foreach (var refused in new[]
        {
            await sender.GetAsync("/v1/emails"), await sender.GetAsync("/v1/events"), await sender.GetAsync("/v1/metrics"),
            await sender.GetAsync("/v1/api-keys"), await sender.PostAsJsonAsync("/v1/api-keys", new { name = "more" }),
            await sender.PostAsJsonAsync("/v1/webhooks", new { url = "https://hooks.example/x", events = new[] { "email.opened" } }),
        })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_revoked_key_is_refused_within_seconds_and_no_longer_listed()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var (id, key) = await MakeKey(client, "leaked");
        using var leaked = stack.ClientFor(key);
        Assert.Equal(HttpStatusCode.OK, (await leaked.GetAsync("/v1/emails")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/api-keys/{id}")).StatusCode);
        // Keys are cached for a second where they are checked: the promise is two.
        await TrackingStack.Eventually(async () => (await leaked.GetAsync("/v1/emails")).StatusCode == HttpStatusCode.Unauthorized,
            "the revoked key is refused", seconds: 3);
        Assert.DoesNotContain(id, (await (await client.GetAsync("/v1/api-keys")).Json()).ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/api-keys/{id}")).StatusCode);
    }

    [Fact]
    public async Task Another_projects_key_cannot_be_revoked_and_a_bad_request_is_a_422()
    {
        using var mine = stack.ClientFor(await stack.CreateProject());
        using var theirs = stack.ClientFor(await stack.CreateProject());
        var (id, key) = await MakeKey(theirs, "theirs");
        Assert.Equal(HttpStatusCode.NotFound, (await mine.DeleteAsync($"/v1/api-keys/{id}")).StatusCode);
        using var still = stack.ClientFor(key);
        Assert.Equal(HttpStatusCode.OK, (await still.GetAsync("/v1/emails")).StatusCode);

        var invalid = await mine.PostAsJsonAsync("/v1/api-keys", new { permission = "root" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        var errors = (await invalid.Json())["errors"]!;
        Assert.NotNull(errors["name"]);
        Assert.NotNull(errors["permission"]);
    }

    [Fact]
    public async Task An_operator_makes_a_project_and_its_first_key_from_the_command_line_and_lists_it()
    {
        var name = $"acme-{Guid.NewGuid():N}";
        var (code, output) = await stack.SiloCommand("project", "create", name);
        Assert.True(code == 0, output);
        var key = Regex.Match(output, @"tk_[A-Za-z0-9_-]+").Value;
        using var client = stack.ClientFor(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/emails")).StatusCode);

        var (listCode, list) = await stack.SiloCommand("project", "list");
        Assert.True(listCode == 0, list);
        Assert.Matches($@"\s1\s+{name}", list);
        Assert.Equal(2, (await stack.SiloCommand("project", "delete")).ExitCode);
    }
}
