using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Tracking.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server per test run: the one in TRACKING_TEST_POSTGRES, or a throwaway one started with
/// scripts/postgres.sh. Every stack gets a database of its own on it.
/// </summary>
public static class TestPostgres
{
    static readonly Lazy<Task<string>> Server = new(Start);

    public static async Task<string> CreateDatabase()
    {
        var server = new NpgsqlConnectionStringBuilder(await Server.Value);
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var admin = NpgsqlDataSource.Create(server.ConnectionString))
        await using (var command = admin.CreateCommand($"CREATE DATABASE {name}"))
            await command.ExecuteNonQueryAsync();
        server.Database = name;
        return server.ConnectionString;
    }

    static async Task<string> Start()
    {
        var configured = Environment.GetEnvironmentVariable("TRACKING_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        var root = Path.Combine(Path.GetTempPath(), $"tracking-tests-{Environment.ProcessId}");
        var dataDir = Path.Combine(root, "pg");
        var connectionString = await StartServer(dataDir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveWhenDone(dataDir, root);
        return connectionString;
    }

    /// <summary>
    /// Stops the server and removes <paramref name="root"/> from a detached shell: the test host is ended
    /// moments after its exit handlers start, before a stop it waited for would finish, which left each
    /// run's cluster behind in the temporary directory.
    /// </summary>
    static void RemoveWhenDone(string dataDir, string root)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in new[] { "bash", "-c", "exec >/dev/null 2>&1 </dev/null; bash \"$0\" stop \"$1\"; rm -rf \"$2\"",
                     ScriptPath, dataDir, root })
            start.ArgumentList.Add(arg);
        try
        {
            Process.Start(start)?.Dispose();
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"Could not stop the test PostgreSQL in {dataDir}: {ex.Message}");
        }
    }

    static string ScriptPath => Path.Combine(Repository.Root, "scripts", "postgres.sh");

    /// <summary>
    /// Starts a server in <paramref name="dataDir"/> (the run's shared one, or one a test may restart) and
    /// returns its connection string.
    /// </summary>
    public static async Task<string> StartServer(string dataDir)
    {
        // A parent the postgres user can enter: initdb runs as that user when the tests run as root.
        var parent = Path.GetDirectoryName(dataDir)!;
        Directory.CreateDirectory(parent);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(parent, (UnixFileMode)0b111_101_101);
        return (await Script("start", dataDir, FreePort().ToString())).Trim().Split('\n')[^1];
    }

    public static Task StopServer(string dataDir) => Script("stop", dataDir);

    /// <summary>A fast shutdown (every session is ended) and a start again on the same port.</summary>
    public static async Task RestartServer(string dataDir, int port)
    {
        await Script("stop", dataDir);
        await Script("start", dataDir, port.ToString());
    }

    static async Task<string> Script(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ScriptPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["TRACKING_PG_FAST"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"postgres.sh {args[0]} failed: {await stderr}");
        return await stdout;
    }

    // Below Linux's ephemeral range (32768+), so a port handed out here is not taken meanwhile by some
    // outgoing connection; each port is handed out once per run.
    const int FirstPort = 20000, PortCount = 12000;
    static int nextPort = FirstPort + Environment.ProcessId % 100 * 100;
    static readonly Lock PortLock = new();

    public static int FreePort()
    {
        lock (PortLock)
        {
            for (var tries = 0; tries < PortCount; tries++)
            {
                var port = nextPort;
                nextPort = FirstPort + (nextPort - FirstPort + 1) % PortCount;
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException) { }
            }
            throw new InvalidOperationException("No free port for the test hosts");
        }
    }
}

public static class Repository
{
    public static readonly string Root = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Tracking.sln"))) return dir.FullName;
        throw new InvalidOperationException("Tracking.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Debug or Release: the configuration these tests were built in, and so their hosts.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
}
