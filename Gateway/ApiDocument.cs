using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Tracking.Gateway;

/// <summary>
/// The API describes itself: OpenAPI 3.1 at <c>/openapi/v1.json</c>, and a reference to read and try it at
/// <c>/docs</c>, which loads nothing from elsewhere (its script is served from here, with no remote fonts).
/// </summary>
public static class ApiDocument
{
    public const string Path = "/openapi/v1.json";
    const string SecurityScheme = "ApiKey";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Tracking API",
                    Version = "v1",
                    Description = "Send email with open and click tracking, and read what recipients did: events, metrics and webhooks. " +
                        "Timestamps are RFC 3339 in UTC; errors are Problem Details (RFC 9457), 422 naming each invalid field.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A project's API key: Authorization: Bearer tk_…",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                // Query parameters are bound as text (see QueryCheck); the document says what they take.
                foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
                    if (parameter.In == ParameterLocation.Query && QueryCheck.Parameters.TryGetValue(parameter.Name!, out var described))
                    {
                        parameter.Description = described.Description;
                        if (described.WholeNumber) parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" };
                    }
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiKeyRequired>().Any())
                    (operation.Security ??= []).Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(SecurityScheme, context.Document)] = [],
                    });
                return Task.CompletedTask;
            });
        });

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi(Path.Replace("v1", "{documentName}"));
        app.MapScalarApiReference("/docs", o =>
        {
            o.WithTitle("Tracking API").WithOpenApiRoutePattern(Path);
            o.DefaultFonts = false;
            o.Telemetry = false;
        });
        return app;
    }
}
