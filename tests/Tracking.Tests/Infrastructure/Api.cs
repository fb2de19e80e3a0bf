using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tracking.Tests.Infrastructure;

/// <summary>Small conveniences for talking to the public API as a client would.</summary>
public static class Api
{
    public static async Task<HttpResponseMessage> SendEmail(this HttpClient client, object body) =>
        await client.PostAsJsonAsync("/v1/emails", body);

    /// <summary>Sends a simple tracked email and answers its id.</summary>
    public static async Task<string> SendTracked(this HttpClient client, string html, object? tracking = null)
    {
        var response = await client.SendEmail(new
        {
            from = "Acme <news@acme.example>",
            to = "bob@example.com",
            subject = "Hello",
            html,
            tracking,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    public static async Task<JsonNode> GetEmail(this HttpClient client, string id)
    {
        var response = await client.GetAsync($"/v1/emails/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!;
    }

    /// <summary>A pixel or a link fetched as a mail client or a browser would: with its User-Agent (and Referer).</summary>
    public static Task<HttpResponseMessage> Hit(this HttpClient http, string pathOrUrl, string? agent, HttpMethod? method = null, string? referer = null)
    {
        var target = Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : pathOrUrl;
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, target);
        if (agent is not null) request.Headers.TryAddWithoutValidation("User-Agent", agent);
        if (referer is not null) request.Headers.TryAddWithoutValidation("Referer", referer);
        return http.SendAsync(request);
    }

    /// <summary>An email's events of the types given (all when none), newest first, once there are at least <paramref name="count"/>.</summary>
    public static async Task<List<JsonNode>> EventsOf(this HttpClient client, string emailId, int count, params string[] types)
    {
        List<JsonNode> events = [];
        await TrackingStack.Eventually(async () =>
        {
            var page = await (await client.GetAsync($"/v1/events?email_id={emailId}")).Json();
            events = [.. page["data"]!.AsArray().Select(e => e!).Where(e => types.Length == 0 || types.Contains(e["type"]!.GetValue<string>()))];
            return events.Count >= count;
        }, $"{count} {string.Join(" or ", types)} events");
        return events;
    }

    public static async Task<JsonNode> Json(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    /// <summary>The click URLs the rewriter put in an email's HTML, in order.</summary>
    public static List<string> ClickLinks(this JsonNode email) =>
        System.Text.RegularExpressions.Regex.Matches(email["html"]!.GetValue<string>(), "href=\"([^\"]*/v1/track/click/[^\"]*)\"")
            .Select(m => m.Groups[1].Value).ToList();
}
