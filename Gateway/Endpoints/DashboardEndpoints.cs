using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Tracking.Gateway.Endpoints;

/// <summary>
/// The dashboard at <c>/dashboard/</c>: a page in the browser that is a client of the <c>/v1</c> API, signed in
/// with an API key. Its files are built from Dashboard/ and embedded in this assembly.
/// </summary>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard/";

    /// <summary>
    /// Only the dashboard's own files and the API on this origin. An email's preview inherits this policy and
    /// adds its own stricter one: images only from data: URLs, so the preview never fetches a pixel.
    /// </summary>
    const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    sealed record DashboardFile(byte[] Content, string ContentType, string ETag);

    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        var files = Load();
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], () => TypedResults.Redirect(Path)).ExcludeFromDescription();
        // Routing ignores a trailing slash: this serves /dashboard as well, so the page names its files absolutely.
        app.MapMethods(Path + "{file?}", [HttpMethods.Get, HttpMethods.Head], (string? file, HttpContext http) =>
        {
            // Routes live after the #, so every path without a file of its own is the page.
            if (!files.TryGetValue(file ?? "index.html", out var found)) return Results.Problem(statusCode: 404, detail: "No such file.");
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-cache";
            headers.ETag = found.ETag;
            if (http.Request.Headers.IfNoneMatch == found.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(found.Content, found.ContentType);
        }).ExcludeFromDescription();
    }

    static FrozenDictionary<string, DashboardFile> Load()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var files = new Dictionary<string, DashboardFile>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("dashboard/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var type = System.IO.Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            };
            files[name["dashboard/".Length..]] = new(content, type, new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"").ToString());
        }
        return files.ToFrozenDictionary();
    }
}
