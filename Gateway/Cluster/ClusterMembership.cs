using System.Net;
using Orleans.Configuration;

namespace Tracking.Gateway.Cluster;

/// <summary>
/// How silos find each other and how the Gateway finds them, from <c>Orleans:Membership</c>: <c>localhost</c>
/// (the default: one silo on this machine) or <c>postgres</c> (a cluster: membership in the database, through
/// Orleans' ADO.NET clustering against the queries in Schema/0008).
/// </summary>
public static class ClusterMembership
{
    public static bool InDatabase(IConfiguration config) => config["Orleans:Membership"]?.Trim().ToLowerInvariant() switch
    {
        null or "" or "localhost" => false,
        "postgres" => true,
        var other => throw new InvalidOperationException($"Orleans:Membership must be 'localhost' or 'postgres', not '{other}'."),
    };

    /// <param name="acceptsClients">
    /// Whether the silo opens its gateway port for clients (a separate Gateway). A silo whose Gateway runs in
    /// its own process has no client to wait for, and so no port for a stranger to call grains through.
    /// </param>
    public static void Configure(ISiloBuilder silo, IConfiguration config, string connectionString, bool acceptsClients = true)
    {
        var orleans = config.GetSection("Orleans");
        var (serviceId, clusterId) = Ids(orleans);
        var siloPort = orleans.GetValue("SiloPort", 11111);
        var gatewayPort = acceptsClients ? orleans.GetValue("GatewayPort", 30000) : 0;
        ClusterTls.Configure(silo, config);
        if (!InDatabase(config))
        {
            // Loopback only: this is one machine.
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: clusterId);
            return;
        }
        silo.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (serviceId, clusterId));
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
        // The address other silos and the Gateway dial (loopback unless given), and the one the ports listen on:
        // the same, unless Orleans:ListenAddress says otherwise (say, behind NAT). Never every interface by default.
        var advertised = Address(orleans, "AdvertisedIP") ?? IPAddress.Loopback;
        var listen = Address(orleans, "ListenAddress") ?? advertised;
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = advertised;
            o.SiloPort = siloPort;
            o.GatewayPort = gatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(listen, siloPort);
            o.GatewayListeningEndpoint = gatewayPort == 0 ? null : new IPEndPoint(listen, gatewayPort);
        });
    }

    static IPAddress? Address(IConfigurationSection orleans, string key) => orleans[key] is not { Length: > 0 } value ? null
        : IPAddress.TryParse(value, out var ip) ? ip
        : throw new InvalidOperationException($"Orleans:{key} must be an IP address, not '{value}'.");

    public static void Configure(IClientBuilder client, IConfiguration config)
    {
        var orleans = config.GetSection("Orleans");
        var (serviceId, clusterId) = Ids(orleans);
        ClusterTls.Configure(client, config);
        if (!InDatabase(config))
        {
            client.UseLocalhostClustering(orleans.GetValue("GatewayPort", 30000), serviceId, clusterId);
            return;
        }
        var connectionString = Environment.GetEnvironmentVariable("TRACKING_POSTGRES") ?? config.GetConnectionString("Tracking")
            ?? throw new InvalidOperationException("Orleans:Membership=postgres needs the database: set TRACKING_POSTGRES.");
        client.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (serviceId, clusterId));
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
        // A silo that joins is used within seconds rather than the default minute (one small query each time).
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(10));
    }

    static (string ServiceId, string ClusterId) Ids(IConfigurationSection orleans) =>
        (orleans.GetValue("ServiceId", "tracking")!, orleans.GetValue("ClusterId", "tracking")!);
}
