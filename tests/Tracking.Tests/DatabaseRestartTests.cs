using System.Net;
using Npgsql;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests;

/// <summary>A stack on a PostgreSQL server of its own, which a test may restart without disturbing the others.</summary>
public sealed class RestartablePostgresStack : TrackingStack
{
    readonly string dataDir = Path.Combine(Path.GetTempPath(), $"tracking-tests-{Environment.ProcessId}-restart", "pg");
    int port;

    protected override bool SiloInGateway => true;

    protected override async Task<string> CreateDatabase()
    {
        var connectionString = await TestPostgres.StartServer(dataDir);
        port = new NpgsqlConnectionStringBuilder(connectionString).Port;
        return connectionString;
    }

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
        // a few tries too; then the counts include everything acknowledged before the restart.
        await TrackingStack.Eventually(async () => (await client.GetAsync($"/v1/emails/{id}")).IsSuccessStatusCode, "the API answers again");
        var email = await client.GetEmail(id);
        Assert.Equal(4, email["open_count"]!.GetValue<int>());
        Assert.Equal(2, email["click_count"]!.GetValue<int>());
    }
}
