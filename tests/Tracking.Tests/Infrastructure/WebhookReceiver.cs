using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tracking.Tests.Infrastructure;

public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body, int AnsweredWith);

/// <summary>
/// A real HTTP endpoint on loopback (Kestrel) that records what it is sent. Each path can be told how to
/// answer its n-th call; by default it answers 200.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly ConcurrentDictionary<string, Func<int, CancellationToken, Task<int>>> behaviours = new();
    readonly ConcurrentDictionary<string, int> calls = new();
    WebApplication? app;

    public int Port { get; } = TestPostgres.FreePort();
    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";

    public void Answer(string path, Func<int, int> status) => behaviours[path] = (n, _) => Task.FromResult(status(n));

    /// <summary>Never answers (until the caller gives up).</summary>
    public void Stall(string path) => behaviours[path] = async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return 200; };

    /// <summary>Answers 200, each request once <paramref name="until"/> has completed.</summary>
    public void Hold(string path, Task until) => behaviours[path] = async (_, ct) => { await until.WaitAsync(ct); return 200; };

    /// <summary>Requests that arrived at <paramref name="path"/>, answered or not.</summary>
    public int Calls(string path) => calls.GetValueOrDefault(path);

    public List<ReceivedWebhook> At(string path) => Received.Where(r => r.Path == path).ToList();

    public async Task Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.Map("/{**path}", async (string path, HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var n = calls.AddOrUpdate(path, 1, (_, c) => c + 1);
            var status = behaviours.TryGetValue(path, out var behaviour) ? await behaviour(n, http.RequestAborted) : 200;
            Received.Enqueue(new ReceivedWebhook(path, http.Request.Headers["webhook-id"].ToString(),
                http.Request.Headers["webhook-timestamp"].ToString(), http.Request.Headers["webhook-signature"].ToString(), body, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
    }

    /// <summary>Standard Webhooks verification, written apart from the server's own signing code.</summary>
    public static bool SignedWith(string secret, ReceivedWebhook hook)
    {
        using var hmac = new HMACSHA256(Convert.FromBase64String(secret["whsec_".Length..]));
        var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{hook.Id}.{hook.Timestamp}.{hook.Body}")));
        return hook.Signature.Split(' ').Contains(expected);
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
