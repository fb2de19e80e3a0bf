using System.Net;
using Npgsql;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>A stack on a PostgreSQL server of its own, which a test may restart without disturbing the others.</summary>
public class RestartablePostgresStack : TrackingStack
{
    readonly string dataDir = Path.Combine(Path.GetTempPath(), $"tracking-tests-{Environment.ProcessId}-restart-{Guid.NewGuid():N}", "pg");
    int port;

    protected override bool SiloInGateway => true;

    protected override async Task<string> CreateDatabase()
    {
        var connectionString = await TestPostgres.StartServer(dataDir);
        port = new NpgsqlConnectionStringBuilder(connectionString).Port;
        return connectionString;
    }

    public Task StopPostgres() => TestPostgres.StopServer(dataDir);

    /// <summary>A fast stop (when it runs) and a start on the same port.</summary>
    public async Task RestartPostgres()
    {
        await TestPostgres.RestartServer(dataDir, port);
        // The test's own pool holds ended sessions too.
        Db.Clear();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await TestPostgres.StopServer(dataDir);
        Directory.Delete(Path.GetDirectoryName(dataDir)!, recursive: true);
    }
}

public class DatabaseRestartTests(RestartablePostgresStack stack) : IClassFixture<RestartablePostgresStack>
{
    [Fact]
    public async Task Acknowledged_events_survive_a_restart_of_PostgreSQL_and_the_first_hits_after_it_are_recorded()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<a href=\"https://shop.example/a\">a</a>");
        var click = new Uri((await client.GetEmail(id)).ClickLinks()[0]).PathAndQuery;
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync($"/v1/track/open/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Found, (await stack.Http.GetAsync(click)).StatusCode);
        const string Recorded = "SELECT count(*) FROM email_events WHERE email_id = $1 AND type IN ('opened', 'clicked')";
        Assert.Equal(4, await stack.Scalar(Recorded, Guid.Parse(id)));

        await stack.RestartPostgres();

        Assert.Equal(4, await stack.Scalar(Recorded, Guid.Parse(id)));
        // The event log's connection was ended by the restart: the first open and click after it are
        // recorded all the same, on a new one.
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync($"/v1/track/open/{id}")).StatusCode);
        Assert.Equal(5, await stack.Scalar(Recorded, Guid.Parse(id)));
        Assert.Equal(HttpStatusCode.Found, (await stack.Http.GetAsync(click)).StatusCode);
        Assert.Equal(6, await stack.Scalar(Recorded, Guid.Parse(id)));
        // A pooled connection the restart ended can fail once before the pool drops it, so the API may need
        // a few tries too, each told to retry (503), not a server error; then the counts include everything
        // acknowledged before the restart.
        var statuses = new List<HttpStatusCode>();
        await TrackingStack.Eventually(async () =>
        {
            var response = await client.GetAsync($"/v1/emails/{id}");
            statuses.Add(response.StatusCode);
            return response.IsSuccessStatusCode;
        }, "the API answers again");
        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        var email = await client.GetEmail(id);
        Assert.Equal(4, email["open_count"]!.GetValue<int>());
        Assert.Equal(2, email["click_count"]!.GetValue<int>());
    }
}

/// <summary>The same with Silo and Gateway as two processes: the failure has to cross between them.</summary>
public sealed class SeparateRestartablePostgresStack : RestartablePostgresStack
{
    protected override bool SiloInGateway => false;
}

public abstract class DatabaseOutageTests<TStack>(TStack stack) where TStack : RestartablePostgresStack
{
    [Fact]
    public async Task An_API_call_while_the_database_is_down_is_told_to_retry_and_the_pixel_is_still_served()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>x</p>");
        await client.GetEmail(id);

        await stack.StopPostgres();
        try
        {
            var response = await client.GetAsync($"/v1/emails/{id}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(response.Headers.Contains("Retry-After"));
            Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync($"/v1/track/open/{id}")).StatusCode);
            // Up, but not ready.
            Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync("/healthz")).StatusCode);
            var ready = await stack.Http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("database", await ready.Content.ReadAsStringAsync());
        }
        finally
        {
            await stack.RestartPostgres();
        }
        await TrackingStack.Eventually(async () => (await client.GetAsync($"/v1/emails/{id}")).IsSuccessStatusCode, "the API answers again");
    }
}

public class DatabaseOutageInOneProcessTests(RestartablePostgresStack stack)
    : DatabaseOutageTests<RestartablePostgresStack>(stack), IClassFixture<RestartablePostgresStack>;

public class DatabaseOutageInTwoProcessesTests(SeparateRestartablePostgresStack stack)
    : DatabaseOutageTests<SeparateRestartablePostgresStack>(stack), IClassFixture<SeparateRestartablePostgresStack>;
