using System.Net;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>GET /v1/emails?search=…&amp;tag=…: the dashboard's search, in the API.</summary>
[Collection(StackCollection.Name)]
public class EmailSearchTests(TrackingStack stack)
{
    async Task<List<string>> Subjects(HttpClient client, string query) =>
        [.. (await (await client.GetAsync($"/v1/emails?{query}")).Json())["data"]!.AsArray().Select(e => e!["subject"]!.GetValue<string>())];

    [Fact]
    public async Task Emails_are_found_by_recipient_subject_or_tag_newest_first()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        foreach (var (to, subject, tag) in new[]
                 {
                     ("ann@example.com", "Your invoice", "billing"), ("ben@example.org", "Welcome aboard", "onboarding"),
                     ("Cat <cat@example.com>", "100% off_today", "promo"), ("dan@example.com", "INVOICE reminder", "billing"),
                 })
        {
            var response = await client.SendEmail(new { from = "a@acme.example", to, subject, text = "x", tags = new[] { new { name = "kind", value = tag } } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["INVOICE reminder", "Your invoice"], await Subjects(client, "search=invoice"));
        Assert.Equal(["Welcome aboard"], await Subjects(client, "search=EXAMPLE.ORG"));
        Assert.Equal(["100% off_today"], await Subjects(client, "search=cat%40"));
        // LIKE's wildcards are only text here.
        Assert.Equal(["100% off_today"], await Subjects(client, "search=%25"));
        Assert.Equal(["100% off_today"], await Subjects(client, "search=f_t"));
        Assert.Empty(await Subjects(client, "search=o_f"));
        Assert.Equal(["INVOICE reminder", "Your invoice"], await Subjects(client, "tag=kind:billing"));
        Assert.Equal(["INVOICE reminder"], await Subjects(client, "tag=kind:billing&search=remind"));
        Assert.Empty(await Subjects(client, "tag=kind:nothing"));

        // Pages of a search go on with its cursor.
        var first = await (await client.GetAsync("/v1/emails?search=example.com&limit=2")).Json();
        var cursor = Uri.EscapeDataString(first["next_cursor"]!.GetValue<string>());
        Assert.Equal(["Your invoice"], await Subjects(client, $"search=example.com&limit=2&cursor={cursor}"));
    }

    [Fact]
    public async Task A_search_the_api_cannot_take_is_a_422_naming_it()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        foreach (var (bad, name) in new[] { ("search=", "search"), ($"search={new string('a', 201)}", "search"), ("search=%01", "search"),
                     ("tag=nocolon", "tag"), ("tag=a:b:c", "tag") })
        {
            var response = await client.GetAsync($"/v1/emails?{bad}");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.NotNull((await response.Json())["errors"]![name]);
        }
    }
}
