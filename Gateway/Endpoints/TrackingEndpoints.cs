using Microsoft.Extensions.Primitives;
using Tracking.Contracts;

namespace Tracking.Gateway.Endpoints;

/// <summary>The hot path: the open pixel and the click redirect. Neither needs an API key.</summary>
public static class TrackingEndpoints
{
    // The smallest transparent GIF89a: 1x1, one transparent colour.
    static readonly byte[] Gif =
    [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ];

    static readonly byte[] NotFoundPage = System.Text.Encoding.UTF8.GetBytes("""
        <!doctype html><html><head><meta charset="utf-8"><title>Link not found</title></head>
        <body><h1>Link not found</h1><p>This tracking link is not valid.</p></body></html>
        """);

    public static RouteGroupBuilder MapTracking(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Tracking");
        group.MapMethods(TrackingUrls.OpenRoute + "/{**emailId}", [HttpMethods.Get, HttpMethods.Head], ServePixel)
            .WithSummary("The open pixel").WithDescription("Always a 1×1 transparent GIF, never cached; a GET records the email's open. " +
                "Needs no API key: it is in the email.")
            .Produces(StatusCodes.Status200OK, contentType: "image/gif");
        group.MapMethods(TrackingUrls.ClickRoute + "/{**trackingId}", [HttpMethods.Get, HttpMethods.Head], FollowClick)
            .WithSummary("A tracked link").WithDescription("Records the click and redirects to the link's destination. A broadcast's " +
                "link carries url, tid and sig in its query; a link whose signature does not verify never redirects. Needs no API key.")
            .Produces(StatusCodes.Status302Found).Produces(StatusCodes.Status404NotFound, contentType: "text/html");
        group.MapMethods(TrackingUrls.TrapRoute, [HttpMethods.Get, HttpMethods.Head], () =>
            {
                // Where the hidden trap link leads; its click was recorded as a link scanner's on the way.
                return TypedResults.Content("<!doctype html><meta name=\"robots\" content=\"noindex\"><title>Not for people</title>" +
                    "<p>This link is hidden in an email: only programs that follow every link come here.</p>", "text/html; charset=utf-8");
            })
            .WithSummary("Where an email's hidden trap link leads").WithDescription("A click on the trap link is recorded as a link scanner's.")
            .Produces(StatusCodes.Status200OK, contentType: "text/html");
        return group;
    }

    static async Task ServePixel(string? emailId, HttpContext http, TrackingHits hits, HitLimits limits, ILogger<OpenContext> log)
    {
        if (HttpMethods.IsGet(http.Request.Method) && TryParseEmailId(emailId, out var id) && limits.Admit(http))
        {
            if (!hits.TryRecord(new TrackingHit(id, new OpenContext(ClientIp(http), Header(http, "User-Agent")), null), out var recorded))
                limits.Drop(HitLimits.QueueFull);
            else
                try
                {
                    await recorded;
                }
                catch (Exception ex)
                {
                    log.OpenNotRecorded(ex, id);
                }
        }

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "image/gif";
        response.ContentLength = Gif.Length;
        response.Headers.CacheControl = "no-store, no-cache, must-revalidate, proxy-revalidate";
        response.Headers.Pragma = "no-cache";
        response.Headers.Expires = "0";
        if (!HttpMethods.IsHead(http.Request.Method)) await response.Body.WriteAsync(Gif);
        GatewayMetrics.PixelServed();
    }

    static async Task FollowClick(string? trackingId, HttpContext http, TrackingHits hits, HitLimits limits, ILogger<ClickContext> log)
    {
        try
        {
            await Follow(trackingId, http, hits, limits, log);
        }
        finally
        {
            GatewayMetrics.ClickServed(http.Response.StatusCode);
        }
    }

    static async Task Follow(string? trackingId, HttpContext http, TrackingHits hits, HitLimits limits, ILogger<ClickContext> log)
    {
        var query = http.Request.Query;
        var broadcast = query.ContainsKey("url");
        string? url = null, tid = null, sig = null;
        if (broadcast && !(Single(query["url"], out url) & Single(query["tid"], out tid) & Single(query["sig"], out sig)))
        {
            await NotFound(http);
            return;
        }
        if (!ClickLink.TryGetEmailId(trackingId, broadcast, out var emailId))
        {
            await NotFound(http);
            return;
        }

        // Over the address's limit, a click is still checked and followed, but not recorded.
        var hit = new TrackingHit(emailId, null,
            new ClickContext(trackingId!, url, tid, sig, ClientIp(http), Header(http, "User-Agent"), Header(http, "Referer"),
                Head: HttpMethods.IsHead(http.Request.Method)),
            CheckOnly: !limits.Admit(http));
        HitOutcome outcome;
        if (!hits.TryRecord(hit, out var recorded))
        {
            limits.Drop(HitLimits.QueueFull);
            outcome = new(null, Unavailable: true);
        }
        else
            try
            {
                outcome = await recorded;
            }
            catch (Exception ex)
            {
                log.ClickNotChecked(ex, emailId);
                outcome = new(null, Unavailable: true);
            }

        if (outcome.Unavailable)
        {
            // An unchecked link is never followed.
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "5";
            return;
        }
        if (outcome.Destination is not { } destination)
        {
            await NotFound(http);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status302Found;
        http.Response.Headers.Location = destination;
        http.Response.Headers.CacheControl = "no-store";
    }

    static Task NotFound(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.Body.WriteAsync(NotFoundPage).AsTask();
    }

    static bool TryParseEmailId(string? value, out Guid id)
    {
        if (value is not null && value.EndsWith(".gif", StringComparison.OrdinalIgnoreCase)) value = value[..^4];
        return Guid.TryParse(value, out id);
    }

    static bool Single(StringValues values, out string? value)
    {
        value = values.Count == 1 ? values[0] : null;
        return !string.IsNullOrEmpty(value);
    }

    static string? ClientIp(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    static string? Header(HttpContext http, string name) =>
        http.Request.Headers.TryGetValue(name, out var value) && value.Count > 0 ? value[0] : null;
}
