using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;

namespace Intent.Api.OpenApi;

/// <summary>
/// Declares in OpenAPI the error envelopes every endpoint can answer, from what it is: 400 and 429
/// everywhere, 401 unless public, 404 with path parameters, 413 and 415 with a JSON body. Endpoints
/// add their own (409, 422, ...) with <c>Produces&lt;ErrorEnvelope&gt;(status)</c>.
/// </summary>
public static class ErrorResponses
{
    public static TBuilder WithErrorResponses<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            var statuses = new SortedSet<int> { StatusCodes.Status400BadRequest, StatusCodes.Status429TooManyRequests };
            if (!endpoint.Metadata.OfType<IAllowAnonymous>().Any())
            {
                statuses.Add(StatusCodes.Status401Unauthorized);
            }

            if (endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 })
            {
                statuses.Add(StatusCodes.Status404NotFound);
            }

            if (endpoint.Metadata.OfType<IAcceptsMetadata>().Any())
            {
                statuses.Add(StatusCodes.Status413PayloadTooLarge);
                statuses.Add(StatusCodes.Status415UnsupportedMediaType);
            }

            var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
            foreach (var status in statuses.Where(s => !declared.Contains(s)))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ErrorEnvelope), ["application/json"]));
            }
        });
        return builder;
    }
}
