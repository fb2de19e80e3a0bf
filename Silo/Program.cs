using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
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
    var operatorPort = OperatorPort.Of(web.Configuration);
    var app = web.AddGateway(siloInProcess: true, operatorPort is { } port ? [OperatorPort.Url(port)] : []).Build();
    if (operatorPort is { } dashboardPort) app.MapOperatorEndpoints(dashboardPort, metrics: false);
    await app.MapGateway().RunAsync();
    return 0;
}

// A silo alone listens for HTTP only when an operator's port is set.
var config = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
if (OperatorPort.Of(config) is { } alonePort)
{
    var web = OperatorPort.ForSiloAlone(args, alonePort);
    TrackingSilo.AddTo(web, acceptsClients: true);
    await web.Build().MapOperatorEndpoints(alonePort, metrics: true).RunAsync();
    return 0;
}

var builder = Host.CreateApplicationBuilder(args);
TrackingSilo.AddTo(builder, acceptsClients: true);
await builder.Build().RunAsync();
return 0;
