using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Tracking.Gateway;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>The API's own description at /openapi/v1.json, and its reference at /docs.</summary>
[Collection(StackCollection.Name)]
public class ApiDocumentTests(TrackingStack stack)
{
    /// <summary>Every route the Gateway maps, as (method, path in the document's form), but the description's own.</summary>
    static List<(string Method, string Path)> MappedRoutes()
    {
        var builder = WebApplication.CreateBuilder();
        // Never started: the client only lets the handlers' grain factory be known as a service.
        builder.UseOrleansClient(client => client.UseLocalhostClustering());
        builder.AddGateway(siloInProcess: false);
        var app = builder.Build();
        app.MapGateway();
        return ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Path: "/" + Regex.Replace(e.RoutePattern.RawText!.Trim('/'), @"\{\*\*(\w+)\}", "{$1}"),
                Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []))
            // The description's own routes, and the dashboard's pages: not the API.
            .Where(r => !r.Path.StartsWith("/openapi") && !r.Path.StartsWith("/docs") && !r.Path.StartsWith("/dashboard") && r.Path != "/")
            .SelectMany(r => r.Methods.Select(m => (m, r.Path)))
            .ToList();
    }

    async Task<JsonNode> Document()
    {
        var response = await stack.Http.GetAsync(ApiDocument.Path);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Json();
    }

    [Fact]
    public async Task Every_mapped_route_is_in_the_document_with_its_answers()
    {
        var document = await Document();
        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>());
        var routes = MappedRoutes();
        Assert.Contains(("GET", "/v1/track/open/{emailId}"), routes);
        Assert.True(routes.Count >= 20, $"{routes.Count} routes");
        Assert.All(routes, route =>
        {
            var operation = document["paths"]?[route.Path]?[route.Method.ToLowerInvariant()];
            Assert.True(operation is not null, $"{route.Method} {route.Path} is not in the document");
            Assert.False(string.IsNullOrEmpty(operation["summary"]?.GetValue<string>()), $"{route.Method} {route.Path} has no summary");
            Assert.NotEmpty(operation["responses"]!.AsObject());
        });
    }

    [Fact]
    public async Task Operations_that_need_a_key_say_so_and_document_their_errors_and_schemas()
    {
        var document = await Document();
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["ApiKey"]!["scheme"]!.GetValue<string>());
        var send = document["paths"]!["/v1/emails"]!["post"]!;
        Assert.NotNull(send["security"]);
        foreach (var status in new[] { "200", "401", "409", "422" }) Assert.NotNull(send["responses"]![status]);
        Assert.Contains("EmailDraft", send["requestBody"]!.ToJsonString());
        Assert.Contains("EmailSent", send["responses"]!["200"]!.ToJsonString());
        Assert.Null(document["paths"]!["/v1/track/open/{emailId}"]!["get"]!["security"]);
        var limit = document["paths"]!["/v1/events"]!["get"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "limit")!;
        Assert.Equal("integer", limit["schema"]!["type"]!.GetValue<string>());
        Assert.NotNull(document["components"]!["schemas"]!["EmailView"]!["properties"]!["opened_at"]);
    }

    [Fact]
    public async Task The_reference_at_docs_loads_nothing_from_elsewhere()
    {
        var page = await stack.Http.GetStringAsync("/docs/");
        Assert.Contains("\"withDefaultFonts\":false", page);
        var sources = Regex.Matches(page, @"(?:src|href)=""([^""]+)""").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, source => Assert.DoesNotMatch("^(https?:)?//", source));
        foreach (var source in sources)
            Assert.Equal(System.Net.HttpStatusCode.OK, (await stack.Http.GetAsync("/docs/" + source)).StatusCode);
    }
}
