using System.Diagnostics;
using System.Net;
using Npgsql;
using Tracking.Links;
using Tracking.Projects;

namespace Tracking.Tests.Infrastructure;

/// <summary>
/// A running Tracking: Silo and Gateway as real processes (as <c>TRACKING_SILO=separate ./run.sh</c> starts
/// them), or one Gateway process with the silo inside it (<see cref="SiloInGateway"/>, as ./run.sh starts it),
/// on a database of their own, reached over real HTTP. The silo can be killed (SIGKILL) and started again
/// on the same database.
/// </summary>
public class TrackingStack : IAsyncLifetime
{
    public const string BootstrapKey = "tk_bootstrap_test_key_0123456789";

    readonly int siloPort = TestPostgres.FreePort(), orleansGatewayPort = TestPostgres.FreePort(), httpPort = TestPostgres.FreePort();
    readonly string logDir = Path.Combine(Path.GetTempPath(), "tracking-test-logs");
    Process? silo, gateway;

    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource Db { get; private set; } = null!;
    public Uri BaseUrl => new($"http://127.0.0.1:{httpPort}");
    public HttpClient Http { get; private set; } = null!;
    /// <summary>The SMTP relay the silo delivers to.</summary>
    public TestRelay Relay { get; } = new();
    /// <summary>The HTTP endpoint webhooks are sent to.</summary>
    public WebhookReceiver Receiver { get; } = new();

    protected virtual Dictionary<string, string> SiloSettings() => [];

    /// <summary>The stack's database: by default one of its own on the run's shared server.</summary>
    protected virtual Task<string> CreateDatabase() => TestPostgres.CreateDatabase();

    /// <summary>One process: the Gateway hosts the silo (TRACKING_SILO=in-process).</summary>
    protected virtual bool SiloInGateway => false;

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabase();
        Db = NpgsqlDataSource.Create(ConnectionString);
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUrl };
        Directory.CreateDirectory(logDir);
        Relay.Start();
        await Receiver.Start();
        StartProcesses();
        await WaitUntilHealthy();
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        foreach (var p in new[] { gateway, silo }) Stop(p);
        await Relay.DisposeAsync();
        await Receiver.DisposeAsync();
        await Db.DisposeAsync();
    }

    /// <summary>kill -9 the silo (with its Gateway, when it is inside it), start it again on the same database, and
    /// wait until the Gateway reaches it.</summary>
    public async Task CrashAndRestartSilo()
    {
        Stop(silo);
        if (SiloInGateway) StartProcesses();
        else silo = Start("Silo", SiloEnvironment());
        await WaitUntilHealthy();
    }

    public async Task<string> CreateProject(string name = "test") => (await new ProjectStore(Db).Create(name)).ApiKey;

    public HttpClient ClientFor(string apiKey)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return client;
    }

    /// <summary>The silo's own signing key, to make links as the silo does.</summary>
    public async Task<TrackingSignature> Signature()
    {
        await using var command = Db.CreateCommand("SELECT value FROM server_secrets WHERE name = 'click_signing_key'");
        return new TrackingSignature((byte[])(await command.ExecuteScalarAsync())!);
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test after a generous time.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting until {what}");
            await Task.Delay(100);
        }
    }

    public async Task<long> Scalar(string sql, params object[] values)
    {
        await using var command = Db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    void StartProcesses()
    {
        var gatewayEnv = new Dictionary<string, string>
        {
            ["TRACKING_URLS"] = BaseUrl.ToString().TrimEnd('/'),
            ["Orleans__GatewayPort"] = orleansGatewayPort.ToString(),
        };
        if (SiloInGateway)
        {
            foreach (var (key, value) in SiloEnvironment()) gatewayEnv[key] = value;
            gatewayEnv["TRACKING_SILO"] = "in-process";
            silo = gateway = Start("Gateway", gatewayEnv);
        }
        else
        {
            silo = Start("Silo", SiloEnvironment());
            gateway = Start("Gateway", gatewayEnv);
        }
    }

    Dictionary<string, string> SiloEnvironment()
    {
        var env = new Dictionary<string, string>
        {
            ["TRACKING_POSTGRES"] = ConnectionString,
            ["TRACKING_PUBLIC_BASE_URL"] = BaseUrl.ToString().TrimEnd('/'),
            ["TRACKING_BOOTSTRAP_API_KEY"] = BootstrapKey,
            ["Orleans__SiloPort"] = siloPort.ToString(),
            ["Orleans__GatewayPort"] = orleansGatewayPort.ToString(),
            ["TRACKING_SMTP_HOST"] = "127.0.0.1",
            ["TRACKING_SMTP_PORT"] = Relay.Port.ToString(),
            ["TRACKING_SMTP_SECURITY"] = "None",
            // Short enough for tests to watch retries and leases happen.
            ["Smtp__RetryBaseSeconds"] = "0.5",
            ["Smtp__RetryMaxSeconds"] = "2",
            ["Smtp__LeaseSeconds"] = "3",
            ["TRACKING_WEBHOOKS_ALLOW_HTTP"] = "true",
            ["TRACKING_WEBHOOKS_ALLOWED_HOSTS"] = "127.0.0.1",
            ["Webhooks__RetryScheduleSeconds"] = "0.3,0.3,0.3,0.3,0.3",
        };
        foreach (var (key, value) in SiloSettings()) env[key] = value;
        return env;
    }

    Process Start(string host, Dictionary<string, string> env)
    {
        var dll = Path.Combine(Repository.Root, host, "bin", Repository.Configuration, "net10.0", $"Tracking.{host}.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in env) start.Environment[key] = value;
        var process = Process.Start(start)!;
        var log = new StreamWriter(Path.Combine(logDir, $"{host}-{httpPort}.log"), append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static void Stop(Process? process)
    {
        if (process is null || process.HasExited) return;
        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    async Task WaitUntilHealthy()
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (silo!.HasExited) throw new InvalidOperationException($"The silo exited; see {logDir}");
            try
            {
                if ((await Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The stack did not become healthy; see {logDir}");
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<TrackingStack>
{
    public const string Name = "stack";
}
