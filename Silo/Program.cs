using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Tracking.Gateway;
using Tracking.Silo;

if (OperatorCommands.Names(args))
    return await TrackingSilo.RunCommand(Host.CreateApplicationBuilder(), args);

if (Environment.GetEnvironmentVariable("TRACKING_SILO") == "in-process")
{
    // One process (./run.sh): the silo serves the Gateway's endpoints itself, and opens no port for clients.
    var web = WebApplication.CreateBuilder(args);
    TrackingSilo.AddTo(web, acceptsClients: false);
    await web.AddGateway(siloInProcess: true).Build().MapGateway().RunAsync();
    return 0;
}

var builder = Host.CreateApplicationBuilder(args);
TrackingSilo.AddTo(builder, acceptsClients: true);
await builder.Build().RunAsync();
return 0;
