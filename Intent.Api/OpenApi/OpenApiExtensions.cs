using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace Intent.Api.OpenApi;

/// <summary>The OpenAPI document: both ways to authenticate, and example bodies for the main requests.</summary>
public static class OpenApiExtensions
{
    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["CreateAudience"] = """
            {"name": "Directors researching CRM", "status": "active",
             "config": {"topicIds": [1, 2, 3], "minScore": 70, "minTopicOverlap": 2,
                        "filters": {"role.seniority": {"values": ["director", "vp"], "mode": "any"},
                                    "contact.hasBusinessEmail": true}}}
            """,
        ["UpdateAudience"] = """{"name": "Directors researching CRM (EU)", "status": "paused"}""",
        ["ValidateAudienceConfig"] = """{"config": {"topicIds": [3, 1, 3], "filters": {"location.countries": {"values": ["DE", "fr"]}}}}""",
    };

    public static IServiceCollection AddIntentOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Intent API";
                document.Info.Description = "Audiences over daily topic intent scores, and the runs that materialize them.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "Dashboard access token: Authorization: Bearer <token>.",
                };
                document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "x-api-key",
                    Description = "Organization API key: x-api-key: sk_...",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
                if (name is not null && Examples.TryGetValue(name, out var example)
                    && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
                {
                    body.Example = JsonNode.Parse(example);
                }

                if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] });
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", context.Document)] = [] });
                }

                return Task.CompletedTask;
            });
        });
}
