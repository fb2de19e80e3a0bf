using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;

namespace Tracking.Silo;

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

    public static void Configure(ISiloBuilder silo, IConfiguration config, string connectionString)
    {
        var orleans = config.GetSection("Orleans");
        var (serviceId, clusterId) = Ids(orleans);
        var siloPort = orleans.GetValue("SiloPort", 11111);
        var gatewayPort = orleans.GetValue("GatewayPort", 30000);
        if (!InDatabase(config))
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: clusterId);
            return;
        }
        silo.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (serviceId, clusterId));
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
        // The address other silos and the Gateway dial: given, or this host's own.
        if (orleans["AdvertisedIP"] is { Length: > 0 } advertised)
        {
            if (!IPAddress.TryParse(advertised, out var ip))
                throw new InvalidOperationException($"Orleans:AdvertisedIP must be an IP address, not '{advertised}'.");
            silo.ConfigureEndpoints(ip, siloPort, gatewayPort, listenOnAnyHostAddress: true);
        }
        else silo.ConfigureEndpoints(siloPort, gatewayPort, listenOnAnyHostAddress: true);
    }

    public static void Configure(IClientBuilder client, IConfiguration config)
    {
        var orleans = config.GetSection("Orleans");
        var (serviceId, clusterId) = Ids(orleans);
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
