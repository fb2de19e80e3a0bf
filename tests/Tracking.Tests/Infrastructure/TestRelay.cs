using System.Buffers;
using System.Collections.Concurrent;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Tracking.Tests.Infrastructure;

/// <summary>A message the relay accepted, with its SMTP envelope.</summary>
public sealed record RelayedMessage(string MailFrom, string[] RcptTo, MimeMessage Message, string Raw)
{
    public string? EmailId => Message.Headers["X-Tracking-Email-Id"];
}

/// <summary>
/// A real SMTP server on loopback (the SmtpServer package). It accepts everything unless told otherwise:
/// per recipient, a scripted list of reply codes to give first; or one code for every message.
/// </summary>
public sealed class TestRelay : MessageStore, IAsyncDisposable
{
    readonly CancellationTokenSource stop = new();
    readonly ConcurrentDictionary<string, ConcurrentQueue<int>> scripts = new(StringComparer.OrdinalIgnoreCase);
    Task? running;

    public int Port { get; } = TestPostgres.FreePort();
    public ConcurrentQueue<RelayedMessage> Received { get; } = new();
    public int Attempts => attempts;
    int attempts;

    /// <summary>When set, every message gets this reply instead of being accepted.</summary>
    public int? ReplyToAll { get; set; }

    /// <summary>The credentials clients logged in with. The relay offers AUTH without TLS, as a careless one would.</summary>
    public ConcurrentQueue<(string User, string Password)> Logins { get; } = new();

    public void Start()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("relay.test")
            .Endpoint(e => e.Port(Port).IsSecure(false).AllowUnsecureAuthentication(true).AuthenticationRequired(false)).Build();
        var services = new ServiceProvider();
        services.Add(this);
        services.Add(new SmtpServer.Authentication.DelegatingUserAuthenticator((user, password) =>
        {
            Logins.Enqueue((user, password));
            return true;
        }));
        running = new SmtpServer.SmtpServer(options, services).StartAsync(stop.Token);
    }

    /// <summary>The next messages to <paramref name="recipient"/> get these replies, in order; then 250.</summary>
    public void Script(string recipient, params int[] replies) => scripts[recipient] = new ConcurrentQueue<int>(replies);

    public List<RelayedMessage> For(string emailId) => Received.Where(m => m.EmailId == emailId).ToList();

    public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
        ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref attempts);
        var rcpt = transaction.To.Select(m => $"{m.User}@{m.Host}").ToArray();
        if (ReplyToAll is { } all) return new SmtpResponse((SmtpReplyCode)all, "scripted reply");
        foreach (var r in rcpt)
            if (scripts.TryGetValue(r, out var queue) && queue.TryDequeue(out var code))
                return new SmtpResponse((SmtpReplyCode)code, code >= 500 ? "mailbox unavailable (scripted)" : "try again later (scripted)");

        var bytes = buffer.ToArray();
        var message = await MimeMessage.LoadAsync(new MemoryStream(bytes), cancellationToken);
        Received.Enqueue(new RelayedMessage($"{transaction.From.User}@{transaction.From.Host}", rcpt, message,
            System.Text.Encoding.UTF8.GetString(bytes)));
        return new SmtpResponse(SmtpReplyCode.Ok, "queued as test");
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (running is not null) try { await running; } catch (OperationCanceledException) { }
    }
}
