using Tracking.Gateway;
using Tracking.Gateway.Cluster;

// The Gateway on its own: a client of the cluster. In the one-process mode the Silo program hosts it.
if (Environment.GetEnvironmentVariable("TRACKING_SILO") == "in-process")
    throw new InvalidOperationException("TRACKING_SILO=in-process runs as one process of Tracking.Silo, which serves these endpoints itself (./run.sh does so).");

var builder = WebApplication.CreateBuilder(args);
builder.UseOrleansClient(client =>
{
    ClusterMembership.Configure(client, builder.Configuration);
    // The silo may start after us (or restart): keep trying instead of failing start-up.
    client.UseConnectionRetryFilter(async (_, ct) => { await Task.Delay(TimeSpan.FromSeconds(1), ct); return true; });
});
builder.AddGateway(siloInProcess: false);
builder.Build().MapGateway().Run();
