using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;
using Tracking.Grains.Analytics;
using Tracking.Grains.Broadcasts;
using Tracking.Grains.Delivery;
using Tracking.Grains.Emails;
using Tracking.Grains.Classification;
using Tracking.Grains.Events;
using Tracking.Gateway.Cluster;
using Tracking.Grains.Links;
using Tracking.Grains.Projects;
using Tracking.Grains.Webhooks;
using Tracking.Contracts;
using Tracking.Grains;

namespace Tracking.Silo;

/// <summary>
/// Everything a silo needs in a host: configuration, the schema, services and Orleans. The Silo program
/// runs it alone, or with the Gateway's endpoints in the same process when TRACKING_SILO=in-process.
/// </summary>
public static class TrackingSilo
{
    /// <param name="acceptsClients">Whether a separate Gateway connects to this silo (see <see cref="ClusterMembership"/>).</param>
    public static void AddTo(IHostApplicationBuilder builder, bool acceptsClients)
    {
        builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning);
        var config = builder.Configuration;
        var (db, connectionString, secrets) = Open(config);
        builder.Services.AddSingleton(db);
        builder.Services.AddSingleton(secrets);
        // First of the hosted services: the schema, the first project and the keys are ready before anything else starts.
        builder.Services.AddHostedService<StartupWork>();

        builder.Services.AddOptions<TrackingOptions>().BindConfiguration(TrackingOptions.Section)
            .Validate(o => Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                "Tracking:PublicBaseUrl must be an absolute http(s) URL")
            .ValidateOnStart();
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SmtpOptions>>(new Checked<SmtpOptions>(o => o.Problem()));
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .Configure(o => o.AloneInCluster = !ClusterMembership.InDatabase(config))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebhookOptions>>(new Checked<WebhookOptions>(o => o.Problem()));
        builder.Services.AddSingleton(services => new EventLogConnection(connectionString, services.GetRequiredService<ILogger<EventLogConnection>>()));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(secrets.Box);
        // Keys from configuration change with the configuration; keys in the database, by rotation at any time.
        var signature = new TrackingSignature();
        builder.Services.AddSingleton(signature);
        if (ServerSecrets.ConfiguredSigningKeys(config["Tracking:SigningKey"]) is null)
            builder.Services.AddHostedService(sp => new SigningKeyRefresh(secrets, signature,
                TimeSpan.FromSeconds(config.GetValue("Tracking:SigningKeyRefreshSeconds", 60.0)), sp.GetRequiredService<ILogger<SigningKeyRefresh>>()));
        builder.Services.AddSingleton(sp => TrackingUrls.At(sp.GetRequiredService<IOptions<TrackingOptions>>().Value.PublicBaseUrl));
        builder.Services.AddSingleton<TrackingLinks>();
        builder.Services.AddSingleton<EmailTracker>();
        builder.Services.AddSingleton<EmailStore>();
        builder.Services.AddSingleton<BroadcastStore>();
        // The default, 200,000 emails, held about 150 MB when full in bench/memory.sh.
        builder.Services.AddSingleton(new EmailDirectory(maxEntries: config.GetValue("Tracking:EmailDirectorySize", 200_000)));
        AddHosted<Outbox>(builder.Services);
        AddHosted<RetentionPurge>(builder.Services);
        builder.Services.AddSingleton<EventReader>();
        builder.Services.AddSingleton<MetricsStore>();
        builder.Services.AddSingleton<WebhookRegistry>();
        builder.Services.AddSingleton<WebhookDeliveryQueue>();
        builder.Services.AddSingleton<WebhookUrlPolicy>();
        builder.Services.AddSingleton<WebhookAttempts>();
        AddHosted<WebhookSubscriptions>(builder.Services);
        AddHosted<WebhookSender>(builder.Services);
        builder.Services.AddSingleton<IpAddressPolicy>();
        builder.Services.AddSingleton<ProjectPrivacy>();
        // Apple's iCloud Private Relay egress ranges (a CSV file Apple publishes), when the operator supplies them.
        builder.Services.AddSingleton(AppleRelayRanges.FromFile(config["Tracking:AppleRelayRanges"]));
        builder.Services.AddSingleton<EventClassifier>();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<OptOutStore>();
        builder.Services.AddSingleton<TrackingDefaults>();
        // Registered before Orleans so that it stops after the silo: in-flight appends drain first.
        AddHosted<EventLog>(builder.Services);
        builder.Services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<EventLog>());

        RenamedStateTypes.Register(builder.Services);
        builder.UseOrleans(silo =>
        {
            var orleans = config.GetSection("Orleans");
            ClusterMembership.Configure(silo, config, connectionString, acceptsClients);
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            silo.AddIncomingGrainCallFilter<TransientDatabaseErrors>();
            if (OperatorPort.Of(config) is not null) silo.AddDashboard();
            // Memory streams carry event notices to webhook dispatchers: fast, and nothing depends on their
            // durability (deliveries are rows; the sweep covers lost notices).
            silo.AddMemoryStreams(EventStreams.Provider);
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.Configure<GrainCollectionOptions>(o =>
            {
                o.CollectionAge = TimeSpan.FromMinutes(orleans.GetValue("GrainIdleMinutes", 10));
                // Only the API wakes an email grain (opens and clicks go to the EngagementGrain), and rarely twice
                // in a row: it is cheap to bring back (one shared read) and costs about 2 KB while active, so it
                // goes soon after its last call.
                var emailIdle = TimeSpan.FromSeconds(Math.Max(1, orleans.GetValue("EmailIdleSeconds", 15.0)));
                o.ClassSpecificCollectionAge[typeof(EmailGrain).FullName!] = emailIdle;
                // Orleans refuses an idle time that is not longer than the quantum.
                o.CollectionQuantum = TimeSpan.FromSeconds(Math.Min(10, emailIdle.TotalSeconds / 2));
            });
            // The directory cache remembers where grains live; its default (a million entries) would by itself
            // hold hundreds of MB once a million email grains have been activated.
            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = orleans.GetValue("DirectoryCacheSize", 100_000));
        });
    }

    /// <summary>
    /// The environment variables the README documents, each the short name of a configuration key; the
    /// standard Section__Key variables work as well.
    /// </summary>
    static readonly (string Variable, string Key)[] Environment =
    [
        ("TRACKING_POSTGRES", "ConnectionStrings:Tracking"),
        ("TRACKING_PUBLIC_BASE_URL", "Tracking:PublicBaseUrl"),
        ("TRACKING_BOOTSTRAP_API_KEY", "Tracking:BootstrapApiKey"),
        ("TRACKING_SIGNING_KEY", "Tracking:SigningKey"),
        ("TRACKING_SECRETS_KEY", "Tracking:SecretsKey"),
        ("TRACKING_WEBHOOKS_ALLOW_HTTP", "Webhooks:AllowHttp"),
        ("TRACKING_WEBHOOKS_ALLOWED_HOSTS", "Webhooks:AllowedHosts"),
        ("TRACKING_SMTP_HOST", "Smtp:Host"),
        ("TRACKING_SMTP_PORT", "Smtp:Port"),
        ("TRACKING_SMTP_SECURITY", "Smtp:Security"),
        ("TRACKING_SMTP_USERNAME", "Smtp:Username"),
        ("TRACKING_SMTP_PASSWORD", "Smtp:Password"),
        ("TRACKING_SMTP_ALLOW_INSECURE_AUTH", "Smtp:AllowInsecureAuth"),
        ("TRACKING_APPLE_RELAY_RANGES", "Tracking:AppleRelayRanges"),
    ];

    /// <summary>The settings' short names mapped, and what the rest needs at once: the database and the secrets key.</summary>
    static (NpgsqlDataSource Db, string ConnectionString, ServerSecrets Secrets) Open(IConfigurationManager config)
    {
        var mapped = Environment.ToDictionary(e => e.Key, e => System.Environment.GetEnvironmentVariable(e.Variable) ?? config[e.Key]);
        // Unless set, links point where the service listens.
        mapped["Tracking:PublicBaseUrl"] ??= System.Environment.GetEnvironmentVariable("TRACKING_URLS")?.Split(';')[0];
        config.AddInMemoryCollection(mapped.Where(kv => kv.Value is not null));

        var connectionString = DatabaseConnection.Tune(config.GetConnectionString("Tracking")
            ?? throw new InvalidOperationException("No database: set TRACKING_POSTGRES to a PostgreSQL connection string."));
        // Checked now, so that a bad key stops the start with its reason.
        ServerSecrets.ConfiguredSigningKeys(config["Tracking:SigningKey"]);
        var db = NpgsqlDataSource.Create(connectionString);
        return (db, connectionString, new ServerSecrets(db, ServerSecrets.BoxFrom(config["Tracking:SecretsKey"])));
    }

    /// <summary>
    /// An operator's command against the database, instead of running the silo: the schema is brought up to
    /// date first. Answers the process's exit code.
    /// </summary>
    public static async Task<int> RunCommand(IHostApplicationBuilder builder, string[] args)
    {
        var (db, _, secrets) = Open(builder.Configuration);
        await using (db)
        using (var loggers = LoggerFactory.Create(l => l.AddConsole()))
        {
            await SchemaMigrations.Apply(db, loggers.CreateLogger("Schema"), secrets.Prepare);
            return await OperatorCommands.Run(args, db, secrets);
        }
    }

    /// <summary>Options whose own check names what is wrong with them.</summary>
    sealed class Checked<T>(Func<T, string?> problem) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            problem(options) is { } why ? ValidateOptionsResult.Fail(why) : ValidateOptionsResult.Success;
    }

    /// <summary>A singleton that is also started and stopped with the host.</summary>
    static void AddHosted<T>(IServiceCollection services) where T : class, IHostedService
    {
        services.AddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }
}
