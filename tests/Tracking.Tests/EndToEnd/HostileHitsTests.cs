using System.Net;
using System.Text;
using Tracking.Contracts;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>Opens and clicks that strangers craft to break the shared group insert.</summary>
[Collection(StackCollection.Name)]
public class HostileHitsTests(TrackingStack stack)
{
    // Kestrel reads header bytes as UTF-8 when asked; the client sends them so, as a hostile one can.
    static HttpClient Utf8Client(TrackingStack stack) =>
        new(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8, AllowAutoRedirect = false })
        { BaseAddress = stack.BaseUrl };

    public static TheoryData<string, string> PoisonedHeaders => new()
    {
        // Cut at 1,024 UTF-16 units, the emoji's surrogate pair was split and the whole insert failed.
        { "User-Agent", new string('a', 1023) + "\U0001F600" },
        { "Referer", "https://x.example/" + new string('a', 2048 - 19) + "\U0001F600" },
    };

    [Theory]
    [MemberData(nameof(PoisonedHeaders))]
    public async Task Poisoned_hits_mixed_with_genuine_ones_cost_no_genuine_hit_its_record(string header, string value)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        using var hostile = Utf8Client(stack);
        var id = await client.SendTracked("<html><body><a href=\"https://shop.example/x\">x</a></body></html>");
        var click = new Uri((await client.GetEmail(id)).ClickLinks()[0]).PathAndQuery;

        var requests = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 80; i++)
        {
            var path = i % 2 == 0 ? $"/v1/track/open/{id}" : click;
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (i % 4 < 2) request.Headers.TryAddWithoutValidation(header, value);
            else request.Headers.TryAddWithoutValidation("User-Agent", "Genuine/1.0");
            requests.Add(hostile.SendAsync(request));
        }
        var responses = await Task.WhenAll(requests);
        Assert.All(responses.Where((_, i) => i % 2 == 0), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(responses.Where((_, i) => i % 2 == 1), r => Assert.Equal(HttpStatusCode.Found, r.StatusCode));

        // Every hit is recorded: the genuine ones as sent, the poisoned ones with their text made storable.
        Assert.Equal(40, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened'", Guid.Parse(id)));
        Assert.Equal(40, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'clicked'", Guid.Parse(id)));
        Assert.Equal(40, await stack.Scalar(
            "SELECT count(*) FROM email_events WHERE email_id = $1 AND user_agent = 'Genuine/1.0'", Guid.Parse(id)));
        var email = await client.GetEmail(id);
        Assert.Equal(40, email["open_count"]!.GetValue<int>());
        Assert.Equal(40, email["click_count"]!.GetValue<int>());
    }
}

/// <summary>The event log's group insert, driven directly with rows no sanitiser has seen.</summary>
[Collection(StackCollection.Name)]
public class EventLogIsolationTests(TrackingStack stack)
{
    [Fact]
    public async Task A_batch_with_poisoned_rows_commits_every_clean_row()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var emailId = Guid.Parse(await client.SendTracked("<p>x</p>"));
        await using var connection = new Tracking.Grains.Events.EventLogConnection(stack.ConnectionString,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Tracking.Grains.Events.EventLogConnection>.Instance);
        var log = new Tracking.Grains.Events.EventLog(stack.Db, connection, new Tracking.Grains.Emails.EmailDirectory(),
            new Tracking.Grains.Events.ProjectPrivacy(stack.Db,
                new Tracking.Grains.Events.IpAddressPolicy(Microsoft.Extensions.Options.Options.Create(new Tracking.Grains.TrackingOptions())),
                TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Tracking.Grains.Events.ProjectPrivacy>.Instance),
            TrackingUrls.At(stack.BaseUrl.ToString()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Tracking.Grains.Events.EventLog>.Instance);

        // A NUL is refused by PostgreSQL, a lone surrogate by Npgsql's encoder before anything is sent.
        string[] poisons = ["Mozilla \0 NUL", "Mozilla \ud83d lone", new string('a', 1023) + "\ud83d"];
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, 90).Select(i => new Tracking.Grains.Events.Engagement
        {
            Id = Guid.CreateVersion7(), EmailId = emailId, Type = EventTypes.Opened, CreatedAt = now,
            IpAddress = "127.0.0.0", UserAgent = i % 3 == 0 ? poisons[i / 3 % 3] : $"Clean/{i}", Client = new("unknown", "unknown", "unknown"),
        }).ToList();

        // Appended together, as concurrent grain calls are: they share inserts.
        var results = await Task.WhenAll(events.Chunk(6).Select(chunk => log.Append(chunk)));
        var recorded = results.SelectMany(r => r).ToList();

        for (var i = 0; i < events.Count; i++)
            if (i % 3 == 0) Assert.Null(recorded[i]);
            else Assert.NotNull(recorded[i]);
        Assert.Equal(60, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened'", emailId));
        Assert.Equal(60, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND user_agent LIKE 'Clean/%'", emailId));

        // And the log goes on committing afterwards.
        var later = await log.Append([events[1] with { Id = Guid.CreateVersion7() }]);
        Assert.NotNull(later.Single());
    }
}
