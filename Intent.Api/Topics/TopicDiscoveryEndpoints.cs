using Intent.Api.Errors;
using Intent.Api.OpenApi;
using Intent.Data;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Intent.Api.Topics;

/// <summary>
/// Topic discovery, public like the topic list: facets, search, trend, compare, movers. Audiences per topic and
/// day come from <c>topic_daily_aggregates</c>, written when a day is loaded; no request reads scores.
/// </summary>
public static class TopicDiscoveryEndpoints
{
    public const int MaxUrlLength = 2048;

    private const string FacetsSql = """
        SELECT CASE WHEN GROUPING(type) = 0 THEN 0 WHEN GROUPING(industry) = 0 THEN 1 ELSE 2 END AS facet,
               coalesce(type, industry, category) AS value, count(*)::integer AS topics
        FROM topics
        GROUP BY GROUPING SETS ((type), (industry), (category))
        ORDER BY facet, topics DESC, value
        """;

    public static IEndpointRouteBuilder MapTopicDiscoveryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var topics = endpoints.MapGroup("/v1/intent/topics").WithTags("Topics").AllowAnonymous();
        topics.MapGet("/facets", GetFacets).WithName("GetTopicFacets")
            .WithSummary("Topic types, industries and categories with how many topics have each (no authentication)")
            .WithExamples(response: """
                {"data": {"types": [{"value": "b2b", "count": 1412}, {"value": "b2c", "count": 588}],
                          "industries": [{"value": "Software", "count": 240}, {"value": "Retail", "count": 131}],
                          "categories": [{"value": "Sales", "count": 97}, {"value": "HR", "count": 64}]},
                 "meta": {"timestamp": "2026-11-28T09:00:00Z", "request_id": "0HN8J2K3L4M5N:00000001"}}
                """);
        TopicSearchEndpoint.Map(topics);
        TopicTrendEndpoints.Map(topics);
        TopicMoversEndpoint.Map(topics);
        topics.MapPost("/analyze", Analyze).WithName("AnalyzeTopics")
            .WithSummary("Not offered: topics of a website (Orbit reads the site, which needs the internet)")
            .WithDescription("A request with a valid url answers 501 NOT_IMPLEMENTED; a missing or malformed url answers 400. Find topics with /v1/intent/topics/search.")
            .Produces<ErrorEnvelope>(StatusCodes.Status501NotImplemented)
            .WithExamples(body: """{"url": "https://www.example.com"}""");
        return endpoints;
    }

    public static async Task<Ok<DataEnvelope<TopicFacetsResponse>>> GetFacets(HttpContext http, IntentDbContext db, CancellationToken cancellationToken)
    {
        var rows = await TopicSql.QueryAsync(db, FacetsSql, [], r => (Facet: r.GetInt32(0), Value: new TopicFacetValue(r.GetString(1), r.GetInt32(2))),
            cancellationToken);
        List<TopicFacetValue> Facet(int facet) => [.. rows.Where(r => r.Facet == facet).Select(r => r.Value)];
        return TypedResults.Ok(http.Envelope(new TopicFacetsResponse(Facet(0), Facet(1), Facet(2))));
    }

    /// <summary>Checks the request as Orbit would (400 for a bad url), then says the analysis is not offered.</summary>
    public static IResult Analyze(AnalyzeTopicsRequest? request, ILoggerFactory loggers)
    {
        var url = request?.Url?.Trim();
        Validation.Check(!string.IsNullOrEmpty(url), "url", "is required");
        Validation.Check(url!.Length <= MaxUrlLength, "url", $"must be at most {MaxUrlLength} characters");
        var absolute = url.Contains("://", StringComparison.Ordinal) ? url : $"https://{url}";
        Validation.Check(
            Uri.TryCreate(absolute, UriKind.Absolute, out var site) && site.Scheme is "http" or "https" && site.Host.Contains('.', StringComparison.Ordinal),
            "url", "must be a website address such as https://www.example.com");

        loggers.CreateLogger(typeof(TopicDiscoveryEndpoints)).LogInformation("Topic analysis of a website was asked for; it is not offered");
        throw new ApiException(StatusCodes.Status501NotImplemented, "NOT_IMPLEMENTED",
            "Topic analysis of a website needs the internet, which this service does not reach; find topics with GET /v1/intent/topics/search.");
    }
}
