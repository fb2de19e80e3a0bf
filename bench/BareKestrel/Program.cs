// The same 43-byte GIF and headers as the real pixel, with no routing to grains and no database.
byte[] gif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==");
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/v1/track/open/{**id}", async (HttpContext http) =>
{
    var response = http.Response;
    response.ContentType = "image/gif";
    response.ContentLength = gif.Length;
    response.Headers.CacheControl = "no-store, no-cache, must-revalidate, proxy-revalidate";
    response.Headers.Pragma = "no-cache";
    response.Headers.Expires = "0";
    await response.Body.WriteAsync(gif);
});
app.Run();
