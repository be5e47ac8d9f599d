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
        ["ValidateAudienceConfig"] = """
            {"topicIds": [3, 1, 3], "minScore": 70,
             "filters": {"role.seniority": {"values": ["Director", "vp"], "mode": "any"}, "location.countries": ["DE", "fr"],
                         "contact": {"hasBusinessEmail": true}}}
            """,
        ["PreviewAudience"] = """
            {"topicIds": [1, 2, 3], "minScore": 70, "minTopicOverlap": 1,
             "filters": {"role.seniority": {"values": ["director", "vp", "c_suite"]}, "contact.hasBusinessEmail": true}}
            """,
    };

    // Answers of the builder's routes, as the seeded data gives them (shortened).
    private static readonly Dictionary<string, string> ResponseExamples = new(StringComparer.Ordinal)
    {
        ["ValidateAudienceConfig"] = """
            {"data": {"valid": true, "configHash": "5b0c1e0f6f7e2b8d9c4a3e21f0d9c8b7a6e5d4c3b2a190817263544536271809",
              "normalizedConfig": {"topicIds": [1, 3], "minScore": 70, "maxScore": 100, "minTopicOverlap": 1,
                "filters": {"contact.hasBusinessEmail": true, "location.countries": {"values": ["de", "fr"], "mode": "any"},
                            "role.seniority": {"values": ["director", "vp"], "mode": "any"}}},
              "appliedFilters": [
                {"key": "role.seniority", "group": "role", "label": "Seniority", "type": "multi_select", "operator": "equals", "mode": "any",
                 "values": ["director", "vp"], "summary": "Seniority: any of director, vp"},
                {"key": "contact.hasBusinessEmail", "group": "contact", "label": "Has business email", "type": "boolean", "operator": "is",
                 "value": true, "summary": "Has business email: yes"},
                {"key": "location.countries", "group": "location", "label": "Country", "type": "multi_select", "operator": "equals", "mode": "any",
                 "values": ["de", "fr"], "summary": "Country: any of de, fr"}],
              "strategy": "day_partition_in_traits", "errors": null, "errorCount": null},
             "meta": {"timestamp": "2026-11-29T16:00:00Z", "request_id": "0HN8..."}}
            """,
        ["PreviewAudience"] = """
            {"data": {"configHash": "0f3a9d2c7b6e5d4c3b2a19081726354453627180910a2b3c4d5e6f708192a3b4", "dataDate": "2026-11-28",
              "strategy": "day_partition_in_traits", "totalCount": 1843,
              "breakdowns": {
                "industries": [{"value": "software", "label": "Software", "count": 212}, {"value": "banking", "label": "Banking", "count": 131}],
                "seniorities": [{"value": "c_suite", "label": "c_suite", "count": 872}, {"value": "director", "label": "director", "count": 560}]},
              "sample": [{"hashedEmail": "3f9a1c…", "firstName": "P***", "lastName": "S***", "jobTitle": "VP of Sales", "seniority": "vp",
                "company": {"name": "Globex Labs", "domain": "globex12.com", "industry": "Software"},
                "intent": {"score": 98, "topicOverlap": 2, "matchedTopics": [
                  {"topicId": 2, "topicName": "CRM Software", "type": "b2b", "industry": "Software", "category": "Sales"},
                  {"topicId": 1, "topicName": "Sales Engagement Tools", "type": "b2b", "industry": "Software", "category": "Sales"}]},
                "masked": true}],
              "appliedFilters": [
                {"key": "role.seniority", "group": "role", "label": "Seniority", "type": "multi_select", "operator": "equals", "mode": "any",
                 "values": ["c_suite", "director", "vp"], "summary": "Seniority: any of c_suite, director, vp"},
                {"key": "contact.hasBusinessEmail", "group": "contact", "label": "Has business email", "type": "boolean", "operator": "is",
                 "value": true, "summary": "Has business email: yes"}]},
             "meta": {"timestamp": "2026-11-29T16:00:00Z", "request_id": "0HN8..."}}
            """,
        ["GetFilterCatalog"] = """
            {"data": {
              "version": {"status": "catalog", "sourceTable": "people_traits", "catalogTable": "filter_catalog_values", "catalogVersion": "a10ff75a5e94a650",
                "buildId": "33638d0d69607d0a", "buildDate": "2026-11-29", "generatedAt": "2026-11-29T15:54:02.456523Z", "peopleCount": 100000},
              "summary": {"groupCount": 5, "filterCount": 20, "valueCount": 92, "recommendedFilterCount": 5, "standardFilterCount": 12,
                "advancedFilterCount": 3, "supportsAdvancedLogic": false, "defaultFieldLogic": "and"},
              "groups": [{"key": "role", "label": "Role", "description": "Seniority, department, and role flags derived from the job title and department.",
                "filters": [
                  {"key": "role.seniority", "label": "Seniority", "type": "multi_select", "valueType": "enum", "operators": ["equals"], "modes": ["any", "all"],
                   "values": [{"value": "individual_contributor", "label": "individual_contributor", "count": 22361},
                              {"value": "director", "label": "director", "count": 11402}],
                   "ui": {"label": "Seniority", "description": "The level of the person's role.", "control": "multi_select", "section": "recommended",
                          "recommended": true, "advanced": false},
                   "sourceColumn": "seniority"},
                  {"key": "role.isCeo", "label": "CEO", "type": "boolean", "valueType": "boolean", "operators": ["is"],
                   "values": [{"value": true, "label": "Yes", "count": 3967}, {"value": false, "label": "No", "count": 96033}],
                   "ui": {"label": "CEO", "description": "Whether the job title names a chief executive (CEO, Chief Executive Officer).", "control": "toggle",
                          "section": "standard", "recommended": false, "advanced": false},
                   "sourceColumn": "job_title"}]}]},
             "meta": {"timestamp": "2026-11-29T16:00:00Z", "request_id": "0HN8..."}}
            """,
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

                if (name is not null && ResponseExamples.TryGetValue(name, out var answer)
                    && operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var content) == true)
                {
                    content.Example = JsonNode.Parse(answer);
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
