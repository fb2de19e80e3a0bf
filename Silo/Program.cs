using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Tracking.Gateway;
using Tracking.Silo;

if (args is ["rotate-signing-key"])
{
    await TrackingSilo.RotateSigningKey(Host.CreateApplicationBuilder(args));
    return;
}

if (Environment.GetEnvironmentVariable("TRACKING_SILO") == "in-process")
{
    // One process (./run.sh): the silo serves the Gateway's endpoints itself, and opens no port for clients.
    var web = WebApplication.CreateBuilder(args);
    TrackingSilo.AddTo(web, acceptsClients: false);
    await web.AddGateway(siloInProcess: true).Build().MapGateway().RunAsync();
    return;
}

var builder = Host.CreateApplicationBuilder(args);
TrackingSilo.AddTo(builder, acceptsClients: true);
await builder.Build().RunAsync();
