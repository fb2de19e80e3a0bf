using Microsoft.Extensions.Hosting;
using Tracking.Silo;

var builder = Host.CreateApplicationBuilder(args);
if (args is ["rotate-signing-key"])
{
    await TrackingSilo.RotateSigningKey(builder);
    return;
}
await TrackingSilo.AddTo(builder, acceptsClients: true);
await builder.Build().RunAsync();
