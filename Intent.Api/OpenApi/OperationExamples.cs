using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Intent.Api.OpenApi;

/// <summary>Examples an endpoint shows in the OpenAPI document, declared beside the endpoint.</summary>
public static class OperationExamples
{
    /// <summary>
    /// Sets the examples of the named query or path <paramref name="parameters"/>, of the JSON request
    /// <paramref name="body"/> and of the 200 <paramref name="response"/> (JSON texts).
    /// </summary>
    public static RouteHandlerBuilder WithExamples(
        this RouteHandlerBuilder builder, string? response = null, IReadOnlyDictionary<string, string>? parameters = null, string? body = null) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.Name is { } name && parameters?.TryGetValue(name, out var example) == true)
                {
                    parameter.Example = JsonNode.Parse(example);
                }
            }

            if (body is not null && operation.RequestBody?.Content?.TryGetValue("application/json", out var request) == true)
            {
                request.Example = JsonNode.Parse(body);
            }

            if (response is not null && operation.Responses?.TryGetValue("200", out var ok) == true
                && ok.Content?.TryGetValue("application/json", out var answer) == true)
            {
                answer.Example = JsonNode.Parse(response);
            }

            return Task.CompletedTask;
        });
}
