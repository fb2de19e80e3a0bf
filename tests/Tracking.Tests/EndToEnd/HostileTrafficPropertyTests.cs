using System.Net;
using System.Net.Sockets;
using System.Text;
using CsCheck;
using Tracking.Gateway.Endpoints;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>
/// Random requests as strangers send them, byte for byte, to the public endpoints: no answer is a 5xx, a click
/// redirects only to where its email links, and genuine hits sent among them are all recorded.
/// </summary>
[Collection(StackCollection.Name)]
public class HostileTrafficPropertyTests(TrackingStack stack)
{
    /// <summary>The status and Location of one raw HTTP/1.1 request.</summary>
    async Task<(int Status, string? Location)> Send(byte[] request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, stack.BaseUrl.Port);
        await socket.SendAsync(request);
        var head = new List<byte>();
        var buffer = new byte[8192];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            if (read == 0) break;
            head.AddRange(buffer.AsSpan(0, read));
            if (Encoding.Latin1.GetString(head.ToArray()).Contains("\r\n\r\n")) break;
        }
        var text = Encoding.Latin1.GetString(head.ToArray());
        Assert.StartsWith("HTTP/1.1 ", text);
        var location = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Location: ", StringComparison.OrdinalIgnoreCase))?["Location: ".Length..];
        return (int.Parse(text[9..12]), location);
    }

    static byte[] Request(string method, byte[] target, IEnumerable<(string Name, byte[] Value)> headers)
    {
        var request = new List<byte>();
        request.AddRange(Encoding.ASCII.GetBytes(method + " "));
        request.AddRange(target);
        request.AddRange("HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"u8.ToArray().Prepend((byte)' '));
        foreach (var (name, value) in headers)
        {
            request.AddRange(Encoding.ASCII.GetBytes(name + ": "));
            request.AddRange(value);
            request.AddRange("\r\n"u8.ToArray());
        }
        request.AddRange("\r\n"u8.ToArray());
        return request.ToArray();
    }

    [Fact]
    public async Task No_stranger_gets_a_5xx_or_a_redirect_anywhere_else_and_genuine_hits_among_them_are_all_recorded()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var emailId = await client.SendTracked(
            "<html><body><a href=\"https://shop.example/a?x=1\">a</a><a href=\"https://shop.example/b\">b</a></body></html>");
        var email = await client.GetEmail(emailId);
        var destinations = email["links"]!.AsArray().Select(l => l!["url"]!.GetValue<string>()).ToHashSet();
        var clicks = email.ClickLinks().Select(l => new Uri(l).AbsolutePath).ToArray();
        var tracking = clicks[0]["/v1/track/click/".Length..];

        // Pieces of request targets: real ids and their mutations, bad escapes, invalid UTF-8, traversal, floods.
        var segment = Gen.Frequency(
            (12, Gen.OneOf(emailId, emailId + ".gif", tracking, tracking[..^1], tracking[..^2] + "AA", tracking.ToUpperInvariant(),
                "%", "%zz", "%ff%fe", "%c3%28", "%e2%82", "%00", "..", "/", "//", "?", "&", "=", "url=", "tid=", "sig=", "https%3A%2F%2Fevil.example",
                "javascript:alert(1)", "%2e%2e%2f", "\u00e9", "x")),
            (4, Gen.Char['!', '~'].Array[1, 40].Select(c => Uri.EscapeDataString(new string(c)))),
            (1, Gen.Int[1, 9000].Select(n => new string('a', n))));
        var prefix = Gen.OneOf("/v1/track/open/", "/v1/track/click/", "/v1/track/click/", clicks[0] + "?", clicks[1] + "?a=", clicks[1],
            "/v1/track/click/" + emailId + "?url=https://shop.example/b&tid=",
            "/v1/emails/", "/v1/events?offset=", "/v1/metrics?days=", "/v1/webhooks/", "/healthz", "/", "/v1/track/");
        var rawBytes = Gen.Frequency((6, Gen.Const(Array.Empty<byte>())), (1, Gen.Byte.Array[1, 4]));
        var target = Gen.Select(prefix, segment.Array[0, 6], rawBytes, (p, parts, raw) =>
        {
            var bytes = Encoding.UTF8.GetBytes(p + string.Concat(parts)).ToList();
            // Raw bytes no client library would send: invalid UTF-8, controls (a space or CR ends the target early).
            bytes.AddRange(raw.Where(b => b is not (0x20 or 0x0D or 0x0A)));
            return bytes.ToArray();
        });
        var headerValue = Gen.Frequency(
            (1, Gen.Byte.Array[0, 300].Select(b => b.Where(x => x is not (0x0D or 0x0A)).ToArray())),
            (1, Gen.Int[1, 9000].Select(n => Encoding.ASCII.GetBytes(new string('z', n)))),
            (6, Gen.OneOf("Mozilla/5.0", "Bearer tk_" + new string('a', 40), "1.2.3.4, ::1", "\u00e9\U0001F600", new string('a', 1023) + "\U0001F600")
                .Select(s => Encoding.UTF8.GetBytes(s))));
        // Mostly headers the endpoints read; now and then framing ones, which the web server itself judges.
        var headerName = Gen.Frequency((12, Gen.OneOf("User-Agent", "Referer", "X-Forwarded-For", "Authorization", "Cookie", "Idempotency-Key")),
            (1, Gen.OneOf("Content-Length", "Transfer-Encoding")));
        var headers = Gen.Select(headerName, headerValue).Array[0, 4];
        var method = Gen.Frequency((8, Gen.Const("GET")), (1, Gen.OneOf("HEAD", "POST", "DELETE", "OPTIONS")));
        var requests = Gen.Select(method, target, headers);

        var genuine = 0;
        var failures = new List<string>();
        await requests.SampleAsync(async (method, path, sent) =>
        {
            // A genuine open alongside each hostile request, sharing the group inserts with it.
            var open = stack.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v1/track/open/{emailId}")
                { Headers = { { "User-Agent", "Genuine/1.0" } } });
            var (status, location) = await Send(Request(method, path, sent));
            Assert.Equal(HttpStatusCode.OK, (await open).StatusCode);
            Interlocked.Increment(ref genuine);
            if (status >= 500) failures.Add($"{status} for {method} {Encoding.Latin1.GetString(path)}");
            // Redirects go to a link's destination, or from the service's root to its own dashboard.
            if (status is >= 300 and < 400 && location is not null && !destinations.Contains(location) && location != DashboardEndpoints.Path)
                failures.Add($"redirect to {location} for {Encoding.Latin1.GetString(path)}");
        }, iter: 400, threads: 4);

        Assert.Empty(failures);
        Assert.Equal(genuine, await stack.Scalar(
            "SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened' AND user_agent = 'Genuine/1.0'", Guid.Parse(emailId)));
    }
}
