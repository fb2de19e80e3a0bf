using System.Diagnostics;
using System.Net;
using Npgsql;
using Tracking.Grains.Links;
using Tracking.Grains.Projects;
using Tracking.Grains;

namespace Tracking.Tests.Infrastructure;

/// <summary>
/// A running Tracking: Silo and Gateway as real processes (as <c>TRACKING_SILO=separate ./run.sh</c> starts
/// them), or one Silo process serving the Gateway's endpoints (<see cref="SiloInGateway"/>, as ./run.sh starts it),
/// on a database of their own, reached over real HTTP. The silo can be killed (SIGKILL) and started again
/// on the same database.
/// </summary>
public class TrackingStack : IAsyncLifetime
{
    public const string BootstrapKey = "tk_bootstrap_test_key_0123456789";
    /// <summary>The secrets key every test stack seals its secrets with (TRACKING_SECRETS_KEY).</summary>
    public static readonly string SecretsKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    public static SecretBox Box => new(Convert.FromBase64String(SecretsKey));

    readonly int httpPort = TestPostgres.FreePort();
    readonly string logDir = Path.Combine(Path.GetTempPath(), "tracking-test-logs");
    // Each silo's (silo, gateway) ports; the first silo's gateway port is the one localhost clustering uses.
    (int Silo, int Gateway)[] ports = [];
    Process?[] silos = [];
    Process? gateway;
    readonly List<Process> otherGateways = [];

    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource Db { get; private set; } = null!;
    public Uri BaseUrl => new($"http://127.0.0.1:{httpPort}");
    public HttpClient Http { get; private set; } = null!;
    /// <summary>The SMTP relay the silo delivers to.</summary>
    public TestRelay Relay { get; } = new();
    /// <summary>The HTTP endpoint webhooks are sent to.</summary>
    public WebhookReceiver Receiver { get; } = new();
    /// <summary>A loopback port nothing listens on (and the webhook allowlist admits).</summary>
    public int ClosedPort { get; } = TestPostgres.FreePort();

    protected virtual Dictionary<string, string> SiloSettings() => [];

    /// <summary>
    /// The Gateway's settings. Tests send far more hits and bad keys from loopback than a stranger is
    /// allowed, so the per-address limits are out of the way unless a stack sets them.
    /// </summary>
    protected virtual Dictionary<string, string> GatewaySettings() => new()
    {
        ["TRACKING_TRACK_RATE_LIMIT"] = "1000000",
        ["TRACKING_AUTH_FAILURE_LIMIT"] = "1000000",
        // An idle event stream shows its heartbeat within a test's patience.
        ["Gateway__StreamHeartbeatSeconds"] = "1",
    };

    /// <summary>The stack's database: by default one of its own on the run's shared server.</summary>
    protected virtual Task<string> CreateDatabase() => TestPostgres.CreateDatabase();

    /// <summary>One process: the Gateway hosts the silo (TRACKING_SILO=in-process).</summary>
    protected virtual bool SiloInGateway => false;

    /// <summary>More than one silo: a cluster whose membership is in the database (Orleans:Membership=postgres).</summary>
    protected virtual int SiloCount => 1;

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabase();
        Db = NpgsqlDataSource.Create(ConnectionString);
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUrl };
        Directory.CreateDirectory(logDir);
        Relay.Start();
        await Receiver.Start();
        ports = Enumerable.Range(0, SiloCount).Select(_ => (TestPostgres.FreePort(), TestPostgres.FreePort())).ToArray();
        silos = new Process?[SiloCount];
        StartProcesses();
        await WaitUntilHealthy();
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        foreach (var p in silos.Prepend(gateway).Concat(otherGateways)) Stop(p);
        await Relay.DisposeAsync();
        await Receiver.DisposeAsync();
        await Db.DisposeAsync();
    }

    /// <summary>kill -9 the silo (with its Gateway, when it is inside it), start it again on the same database, and
    /// wait until the Gateway reaches it.</summary>
    public async Task CrashAndRestartSilo()
    {
        CrashSilo(0);
        if (SiloInGateway) StartProcesses();
        else silos[0] = Start("Silo", SiloEnvironment(0));
        await WaitUntilHealthy();
    }

    /// <summary>kill -9 one silo, and leave it dead.</summary>
    public void CrashSilo(int index)
    {
        Stop(silos[index]);
        silos[index] = null;
    }

    /// <summary>The resident memory of the (first) silo's process, as the kernel counts it.</summary>
    public long SiloResidentBytes()
    {
        silos[0]!.Refresh();
        return silos[0]!.WorkingSet64;
    }

    /// <summary>The Orleans gateway port the first silo is configured with.</summary>
    public int GatewayPort => ports[0].Gateway;

    /// <summary>Whether something accepts TCP connections at this address and port.</summary>
    public static async Task<bool> Listening(IPAddress address, int port)
    {
        using var socket = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port)).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The silo ports of the cluster's members, as the membership table names them.</summary>
    public IReadOnlyList<int> SiloPorts => ports.Select(p => p.Silo).ToArray();

    public async Task<string> CreateProject(string name = "test") => (await new ProjectStore(Db).Create(name)).ApiKey;

    /// <summary>
    /// A client whose requests come from <paramref name="localAddress"/> (any of 127.0.0.0/8): to the
    /// Gateway, a stranger of its own.
    /// </summary>
    public HttpClient ClientFrom(string localAddress, string? apiKey = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = BaseUrl };
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return client;
    }

    /// <summary>What the Gateway's process has logged so far.</summary>
    public string GatewayLog() => SiloInGateway ? SiloLog() : Log($"Gateway-{httpPort}-.log");

    /// <summary>What the first silo's process has logged so far.</summary>
    public string SiloLog() => Log($"Silo-{httpPort}-{ports[0].Silo}.log");

    string Log(string file)
    {
        using var stream = new FileStream(Path.Combine(logDir, file), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    public HttpClient ClientFor(string apiKey)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return client;
    }

    /// <summary>The silo's own signing key (its newest), to make links as the silo does.</summary>
    public async Task<TrackingSignature> Signature()
    {
        await using var command = Db.CreateCommand("SELECT id, sealed_key FROM signing_keys ORDER BY id DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new TrackingSignature(Box.Open(reader.GetFieldValue<byte[]>(1), SecretBox.SigningKeyContext(reader.GetInt64(0))));
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

    /// <summary>
    /// A negative check: polls <paramref name="happened"/> until <paramref name="within"/> has passed, and fails
    /// the test as soon as it holds.
    /// </summary>
    public static async Task Never(Func<Task<bool>> happened, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        do
        {
            if (await happened()) throw new Xunit.Sdk.XunitException($"{what} happened");
            await Task.Delay(50);
        } while (DateTime.UtcNow < deadline);
    }

    /// <summary>An event committed now with an earlier time, as if it had come then; read by every reader like any other.</summary>
    public async Task Backdate(string emailId, string type, TimeSpan ago, string? link = null, string? machine = null)
    {
        await using var command = Db.CreateCommand("""
            INSERT INTO email_events (id, email_id, project_id, type, created_at, link, machine)
            SELECT gen_random_uuid(), id, project_id, $2, now() - $3, $4, $5 FROM emails WHERE id = $1
            """);
        command.Parameters.Add(new() { Value = Guid.Parse(emailId) });
        command.Parameters.Add(new() { Value = type });
        command.Parameters.Add(new() { Value = ago });
        command.Parameters.Add(new() { Value = (object?)link ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)machine ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> Scalar(string sql, params object[] values)
    {
        await using var command = Db.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    Dictionary<string, string> GatewayEnvironment(Uri url)
    {
        var env = new Dictionary<string, string>
        {
            ["TRACKING_URLS"] = url.ToString().TrimEnd('/'),
            ["Orleans__GatewayPort"] = ports[0].Gateway.ToString(),
        };
        foreach (var (key, value) in GatewaySettings()) env[key] = value;
        if (SiloCount > 1)
        {
            env["Orleans__Membership"] = "postgres";
            env["TRACKING_POSTGRES"] = ConnectionString;
        }
        return env;
    }

    /// <summary>One more Gateway process, on a port of its own, in front of the same silos; stopped with the stack.</summary>
    public async Task<Uri> AnotherGateway()
    {
        var url = new Uri($"http://127.0.0.1:{TestPostgres.FreePort()}");
        otherGateways.Add(Start("Gateway", GatewayEnvironment(url), logName: $"Gateway-{url.Port}"));
        using var http = new HttpClient { BaseAddress = url };
        await Eventually(async () =>
        {
            try { return (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
        }, "the other Gateway is ready", seconds: 90);
        return url;
    }

    void StartProcesses()
    {
        var gatewayEnv = GatewayEnvironment(BaseUrl);
        if (SiloInGateway)
        {
            // One process: the Silo serves the Gateway's endpoints.
            foreach (var (key, value) in SiloEnvironment(0)) gatewayEnv[key] = value;
            gatewayEnv["TRACKING_SILO"] = "in-process";
            silos[0] = gateway = Start("Silo", gatewayEnv);
        }
        else
        {
            for (var i = 0; i < SiloCount; i++) silos[i] = Start("Silo", SiloEnvironment(i));
            gateway = Start("Gateway", gatewayEnv);
        }
    }

    Dictionary<string, string> SiloEnvironment(int index)
    {
        var env = new Dictionary<string, string>
        {
            ["TRACKING_POSTGRES"] = ConnectionString,
            ["TRACKING_PUBLIC_BASE_URL"] = BaseUrl.ToString().TrimEnd('/'),
            ["TRACKING_BOOTSTRAP_API_KEY"] = BootstrapKey,
            ["TRACKING_SECRETS_KEY"] = SecretsKey,
            ["Tracking__SigningKeyRefreshSeconds"] = "1",
            ["Orleans__SiloPort"] = ports[index].Silo.ToString(),
            ["Orleans__GatewayPort"] = ports[index].Gateway.ToString(),
            ["TRACKING_SMTP_HOST"] = "127.0.0.1",
            ["TRACKING_SMTP_PORT"] = Relay.Port.ToString(),
            ["TRACKING_SMTP_SECURITY"] = "None",
            // Short enough for tests to watch retries and leases happen.
            ["Smtp__RetryBaseSeconds"] = "0.5",
            ["Smtp__RetryMaxSeconds"] = "2",
            ["Smtp__LeaseSeconds"] = "3",
            ["TRACKING_WEBHOOKS_ALLOW_HTTP"] = "true",
            // The receiver; the relay's port (a server that speaks no HTTP) and one nothing listens on, for
            // what a tenant learns of a host's ports.
            ["TRACKING_WEBHOOKS_ALLOWED_HOSTS"] = $"127.0.0.1:{Receiver.Port},127.0.0.1:{Relay.Port},127.0.0.1:{ClosedPort}",
            ["Webhooks__RetryScheduleSeconds"] = "0.3,0.3,0.3,0.3,0.3",
            // Small, so that every sweep of more than a few events goes in steps.
            ["Webhooks__SweepBatch"] = "3",
            // A retention pass every second: projects that keep 1 day see backdated events go at once.
            ["Retention__PassSeconds"] = "1",
        };
        if (SiloCount > 1)
        {
            env["Orleans__Membership"] = "postgres";
            env["Orleans__AdvertisedIP"] = "127.0.0.1";
        }
        foreach (var (key, value) in SiloSettings()) env[key] = value;
        return env;
    }

    /// <summary>Runs a command of the Silo program (as an operator would) on this stack's database; its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> SiloCommand(params string[] args)
    {
        var dll = Path.Combine(Repository.Root, "Silo", "bin", Repository.Configuration, "net10.0", "Tracking.Silo.dll");
        var start = new ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["TRACKING_POSTGRES"] = ConnectionString;
        start.Environment["TRACKING_SECRETS_KEY"] = SecretsKey;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }

    Process Start(string host, Dictionary<string, string> env, string? logName = null)
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
        logName ??= $"{host}-{httpPort}-{env.GetValueOrDefault("Orleans__SiloPort")}";
        var log = new StreamWriter(Path.Combine(logDir, logName + ".log"), append: true) { AutoFlush = true };
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
            if (silos.Any(s => s is { HasExited: true })) throw new InvalidOperationException($"A silo exited; see {logDir}");
            try
            {
                if ((await Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return;
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
