using Intent.Api.Errors;
using Intent.Data;
using Intent.Data.Catalog;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Intent.Api.Topics;

/// <summary><c>GET /v1/intent/topics</c>: the public topic catalog.</summary>
public static class TopicsEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapTopicsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/intent/topics", ListTopics)
            .WithName("ListTopics")
            .WithTags("Topics")
            .WithSummary("Search the topic catalog (no authentication)")
            .AllowAnonymous();
        endpoints.MapTopicDiscoveryEndpoints();
        return endpoints;
    }

    public static async Task<Ok<DataEnvelope<List<TopicResponse>>>> ListTopics(
        HttpContext http, IntentDbContext db, string? q, string? type, string? industry, string? category, int? limit, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        Validation.Check(take is >= 1 and <= MaxLimit, "limit", $"must be from 1 to {MaxLimit}");

        var topics = db.Topics.AsNoTracking();
        switch (type)
        {
            case null or "" or "both":
                break;
            case var t when SnakeCaseNames.TryParse<TopicType>(t, out var topicType):
                topics = topics.Where(x => x.Type == topicType);
                break;
            default:
                throw Validation.Error("type", "must be b2b, b2c or both");
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            var pattern = LikePatterns.Containing(q.Trim());
            topics = topics.Where(x => EF.Functions.ILike(x.TopicName, pattern, LikePatterns.EscapeCharacter));
        }

        if (!string.IsNullOrWhiteSpace(industry))
        {
            topics = topics.Where(x => EF.Functions.ILike(x.Industry, LikePatterns.Literal(industry.Trim()), LikePatterns.EscapeCharacter));
        }

        if (!string.IsNullOrWhiteSpace(category))
        {
            topics = topics.Where(x => EF.Functions.ILike(x.Category, LikePatterns.Literal(category.Trim()), LikePatterns.EscapeCharacter));
        }

        var page = await topics.OrderBy(x => x.TopicName).ThenBy(x => x.TopicId).Take(take)
            .Select(x => new { x.TopicId, x.TopicName, x.Type, x.Industry, x.Category })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(http.Envelope(page
            .Select(x => new TopicResponse(x.TopicId, x.TopicName, SnakeCaseNames.Of(x.Type), x.Industry, x.Category))
            .ToList()));
    }
}
