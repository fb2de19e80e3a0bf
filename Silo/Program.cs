using Microsoft.Extensions.Hosting;
using Tracking.Silo;

var builder = Host.CreateApplicationBuilder(args);
await TrackingSilo.AddTo(builder, acceptsClients: true);
await builder.Build().RunAsync();
