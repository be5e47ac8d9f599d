using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace Intent.Tests.Integration.Api;

/// <summary>Every route needs a token unless it is on this list: a new endpoint cannot become public by accident.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class PublicRoutesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string[] PublicRoutes =
    [
        "* /health/live",
        "* /health/ready",
        "* /metrics",
        "GET /docs/favicon.svg",
        "GET /docs/scalar.aspnetcore.js",
        "GET /docs/scalar.js",
        "GET /docs/{documentName?}",
        "GET /openapi/v1.json",
        "GET /v1/intent/exports/{exportId:guid}/download",
        "GET /v1/intent/topics",
        "GET /v1/intent/topics/facets",
        "GET /v1/intent/topics/movers",
        "GET /v1/intent/topics/search",
        "GET /v1/intent/topics/{topicId}/trend",
        "POST /v1/intent/topics/analyze",
        "POST /v1/intent/topics/compare",
    ];

    [Fact]
    public void Only_the_listed_routes_are_public()
    {
        var open = api.Endpoints()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .SelectMany(Describe)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(PublicRoutes.SequenceEqual(open), $"public routes: {string.Join(", ", open)}");
    }

    [Fact]
    public async Task Every_other_route_answers_401_without_a_token()
    {
        var client = api.Anonymous();
        var guarded = api.Endpoints().Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null).ToList();
        Assert.True(guarded.Count >= 12, $"expected the private routes, found {guarded.Count}");

        foreach (var endpoint in guarded)
        {
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    _ => Guid.NewGuid().ToString(),
                }))));
                var (response, body) = await client.SendAsync(new HttpMethod(method), path, method is "POST" or "PATCH" ? new { } : null);

                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {endpoint.RoutePattern.RawText} answered {(int)response.StatusCode}");
                Assert.Equal("UNAUTHORIZED", body.ErrorCode());
            }
        }
    }

    [Fact]
    public async Task Unknown_routes_answer_401_without_a_token_and_404_with_one()
    {
        var (anonymous, anonymousBody) = await api.Anonymous().SendAsync(HttpMethod.Get, "/v1/nothing-here");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("UNAUTHORIZED", anonymousBody.ErrorCode());

        var (client, _, _) = await api.CallerAsync();
        var (known, knownBody) = await client.SendAsync(HttpMethod.Get, "/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, known.StatusCode);
        Assert.Equal("NOT_FOUND", knownBody.ErrorCode());
    }

    private static IEnumerable<string> Describe(RouteEndpoint endpoint) =>
        (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
            .Select(method => $"{method} {endpoint.RoutePattern.RawText}");
}
