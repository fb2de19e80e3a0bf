using System.Net;
using System.Net.Http.Json;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>Two silos and a Gateway that find each other through the membership table (Orleans:Membership=postgres).</summary>
public sealed class ClusterStack : TrackingStack
{
    protected override int SiloCount => 2;
}

public class ClusterTests(ClusterStack stack) : IClassFixture<ClusterStack>
{
    const int Active = 3, Dead = 6;

    [Fact]
    public async Task Two_silos_serve_one_gateway_and_the_survivor_carries_on_after_a_kill()
    {
        foreach (var port in stack.SiloPorts)
            await TrackingStack.Eventually(async () => await Status(port) == Active, $"silo {port} is active in the membership table");

        using var client = stack.ClientFor(await stack.CreateProject());
        var hookPath = "cluster/" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/webhooks", new { url = stack.Receiver.Url(hookPath), events = new[] { "email.opened" } })).StatusCode);
        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.SendTracked($"<html><body><a href=\"https://shop.example/{i}\">x</a></body></html>")));
        var clicks = await Task.WhenAll(ids.Select(async id => new Uri((await client.GetEmail(id)).ClickLinks()[0]).PathAndQuery));

        // The Gateway spreads hits over both silos (once it has seen both), so both event logs write.
        await TrackingStack.Eventually(async () =>
        {
            await Task.WhenAll(ids.Select(id => stack.Http.GetAsync($"/v1/track/open/{id}")));
            return await stack.Scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1",
                "INSERT INTO email_events (id, email_id, project_id, type, created_at, ip_address%") == 2;
        }, "both silos' event logs record hits");
        var before = await Opens(ids);
        var opens = await Task.WhenAll(ids.SelectMany(id => Enumerable.Repeat(id, 5)).Select(id => stack.Http.GetAsync($"/v1/track/open/{id}")));
        Assert.All(opens, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var redirects = await Task.WhenAll(clicks.Select(c => stack.Http.GetAsync(c)));
        Assert.All(redirects, r => Assert.Equal(HttpStatusCode.Found, r.StatusCode));
        Assert.Equal(before + 100, await Opens(ids));
        foreach (var id in ids)
        {
            var email = await client.GetEmail(id);
            Assert.Equal(await Opens([id]), email["open_count"]!.GetValue<int>());
            Assert.Equal(1, email["click_count"]!.GetValue<int>());
        }

        // Each open reaches the webhook (at least once), whichever silo recorded it.
        await TrackingStack.Eventually(async () => stack.Receiver.At(hookPath).Select(h => h.Id).Distinct().Count() == await Opens(ids),
            "every open's webhook is delivered");

        // At once, before the cluster has noticed: every hit gets its pixel. A hit that did not reach the grain
        // is sent again, with another grain key, until it finds the other silo; one already sent to the dead
        // silo is not known to be recorded and is not sent again. So a few may be lost (and are logged); none
        // is recorded twice.
        stack.CrashSilo(1);
        foreach (var id in ids)
            Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync($"/v1/track/open/{id}")).StatusCode);
        var duringFailover = await Opens(ids);
        Assert.InRange(duringFailover - before, 115, 120);

        // Once the cluster has declared the silo dead, every hit is recorded.
        await TrackingStack.Eventually(async () => await Status(stack.SiloPorts[1]) == Dead, "the killed silo is declared dead");
        foreach (var id in ids)
            Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync($"/v1/track/open/{id}")).StatusCode);
        // A failover hit whose wait timed out may still have been delivered to the survivor and land now.
        Assert.InRange(await Opens(ids), duringFailover + 20, before + 120 + 20);

        // Grains that lived on the dead silo come back on the survivor, and count what the log holds.
        foreach (var id in ids)
        {
            var email = await client.GetEmail(id);
            Assert.Equal(await Opens([id]), email["open_count"]!.GetValue<int>());
            Assert.Equal(1, email["click_count"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task A_revoked_key_is_refused_by_every_gateway_and_silo_within_seconds()
    {
        foreach (var port in stack.SiloPorts)
            await TrackingStack.Eventually(async () => await Status(port) == Active, $"silo {port} is active in the membership table");
        using var client = stack.ClientFor(await stack.CreateProject());
        var made = await (await client.PostAsJsonAsync("/v1/api-keys", new { name = "spread" })).Json();
        var key = made["key"]!.GetValue<string>();
        using var first = stack.ClientFor(key);
        using var second = stack.ClientFor(key);
        second.BaseAddress = await stack.AnotherGateway();
        // Many requests at once through both Gateways: the key is checked, and cached, by the key grains of both silos.
        Task<HttpResponseMessage[]> Spread() =>
            Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? first : second).GetAsync("/v1/emails?limit=1")));
        Assert.All(await Spread(), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/api-keys/{made["id"]!.GetValue<string>()}")).StatusCode);
        await TrackingStack.Eventually(async () => (await Spread()).All(r => r.StatusCode == HttpStatusCode.Unauthorized),
            "every request with the revoked key is refused", seconds: 3);
    }

    [Fact]
    public async Task The_cluster_ports_listen_on_the_advertised_address_only()
    {
        int[] ports = [stack.SiloPorts[0], stack.GatewayPort];
        foreach (var port in ports) Assert.True(await TrackingStack.Listening(IPAddress.Loopback, port), $"port {port} on loopback");
        // The machine's other addresses, where a stranger on its network would knock.
        var others = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal).ToList();
        foreach (var address in others)
            foreach (var port in ports)
                Assert.False(await TrackingStack.Listening(address, port), $"port {port} answers on {address}");
    }

    [Fact]
    public async Task A_change_of_membership_from_a_stale_version_changes_nothing()
    {
        var cluster = $"stale-{Guid.NewGuid():N}";
        var start = DateTime.UtcNow;
        Dictionary<string, object?> Silo(int port, int status, int version) => new()
        {
            ["DeploymentId"] = cluster, ["Address"] = "10.0.0.1", ["Port"] = port, ["Generation"] = 7, ["SiloName"] = $"s{port}",
            ["HostName"] = "h", ["Status"] = status, ["ProxyPort"] = 0, ["StartTime"] = start, ["IAmAliveTime"] = start,
            ["SuspectTimes"] = null, ["Version"] = version,
        };

        Assert.True(await Query<bool>("InsertMembershipVersionKey", new() { ["DeploymentId"] = cluster }));
        Assert.False(await Query<bool>("InsertMembershipVersionKey", new() { ["DeploymentId"] = cluster }));
        Assert.True(await Query<bool>("InsertMembershipKey", Silo(1, 1, version: 0)));
        Assert.False(await Query<bool>("InsertMembershipKey", Silo(2, 1, version: 0)));
        Assert.False(await Query<bool>("UpdateMembershipKey", Silo(1, Active, version: 0)));
        Assert.True(await Query<bool>("UpdateMembershipKey", Silo(1, Active, version: 1)));
        Assert.False(await Query<bool>("UpdateMembershipKey", Silo(2, Active, version: 2)));

        Assert.Equal(2, await stack.Scalar("SELECT version FROM orleans_membership_version WHERE deployment_id = $1", cluster));
        Assert.Equal(1, await stack.Scalar("SELECT count(*) FROM orleans_membership WHERE deployment_id = $1", cluster));
        Assert.Equal(Active, await stack.Scalar("SELECT status FROM orleans_membership WHERE deployment_id = $1", cluster));
    }

    /// <summary>Runs a stored query as the clustering provider does: its text from orleansquery, named parameters.</summary>
    async Task<T> Query<T>(string key, Dictionary<string, object?> parameters)
    {
        await using var text = stack.Db.CreateCommand("SELECT querytext FROM orleansquery WHERE querykey = $1");
        text.Parameters.Add(new() { Value = key });
        await using var command = stack.Db.CreateCommand((string)(await text.ExecuteScalarAsync())!);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    Task<long> Opens(IEnumerable<string> ids) =>
        stack.Scalar("SELECT count(*) FROM email_events WHERE type = 'opened' AND email_id = ANY($1)", ids.Select(Guid.Parse).ToArray());

    async Task<long> Status(int siloPort) =>
        await stack.Scalar("SELECT coalesce(max(status), 0) FROM orleans_membership WHERE port = $1 AND generation = (SELECT max(generation) FROM orleans_membership WHERE port = $1)", siloPort);
}
