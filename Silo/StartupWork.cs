using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tracking.Grains.Links;
using Tracking.Grains.Projects;

namespace Tracking.Silo;

/// <summary>
/// What a silo does before it serves: the schema's migrations, then (under the same lock, so silos starting
/// together on a new database make one of each) the first project and its key and the sealing of secrets an
/// earlier version kept in clear; then the signing keys. It is the first hosted service, so it is done before
/// the background services, Orleans and the web server start.
/// </summary>
public sealed class StartupWork(NpgsqlDataSource db, ServerSecrets secrets, TrackingSignature signature, IConfiguration config,
    ILogger<StartupWork> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await SchemaMigrations.Apply(db, log, async () =>
        {
            await BootstrapProject(db, config["Tracking:BootstrapApiKey"]);
            await secrets.Prepare();
        }, cancellationToken);
        signature.Use(ServerSecrets.ConfiguredSigningKeys(config["Tracking:SigningKey"]) ?? await secrets.SigningKeys());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    static async Task BootstrapProject(NpgsqlDataSource db, string? apiKey)
    {
        if (await new ApiKeyStore(db).Any()) return;
        var created = await new ProjectStore(db).Create("default", string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim());
        // Written to the console, not logged: the key is shown this once, and logs keep no secrets.
        if (string.IsNullOrWhiteSpace(apiKey))
            Console.WriteLine($"""

                Created project "default" with API key (shown only this once, keep it):

                    {created.ApiKey}

                """);
        else
            Console.WriteLine("Created project \"default\" with the API key from TRACKING_BOOTSTRAP_API_KEY.");
    }
}
