using System.Net;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>A silo apart from its Gateway, with an operator's port.</summary>
public sealed class OperatorPortStack : TrackingStack
{
    public int OperatorPort { get; } = TestPostgres.FreePort();

    protected override Dictionary<string, string> SiloSettings() => new() { ["Tracking__OperatorPort"] = OperatorPort.ToString() };
}

public class OperatorPortTests(OperatorPortStack stack) : IClassFixture<OperatorPortStack>
{
    [Fact]
    public async Task The_orleans_dashboard_is_on_the_operators_port_on_loopback_only()
    {
        using var operatorPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{stack.OperatorPort}") };
        var dashboard = await operatorPort.GetAsync("/orleans/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Orleans Dashboard", await dashboard.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Http.GetAsync("/orleans/")).StatusCode);

        var others = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal).ToList();
        foreach (var address in others)
            Assert.False(await TrackingStack.Listening(address, stack.OperatorPort), $"the operator's port answers on {address}");
    }

    [Fact]
    public async Task A_silo_apart_from_its_gateway_serves_its_own_metrics_there()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>measured</p>");
        await stack.Http.GetAsync($"/v1/track/open/{id}");

        using var operatorPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{stack.OperatorPort}") };
        await TrackingStack.Eventually(async () => (await operatorPort.GetStringAsync("/metrics"))
            .Split('\n').Any(line => line.StartsWith("tracking_events_recorded_total{") && line.Contains("type=\"opened\"")),
            "the silo counts the open");
        Assert.Contains("orleans_", await operatorPort.GetStringAsync("/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, (await operatorPort.GetAsync("/v1/emails")).StatusCode);
    }
}
