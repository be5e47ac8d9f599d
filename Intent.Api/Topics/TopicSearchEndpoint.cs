using Intent.Api.Errors;
using Intent.Api.OpenApi;
using Intent.Data;
using Intent.Data.Catalog;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Intent.Api.Topics;

/// <summary><c>GET /v1/intent/topics/search?q=</c>: autocomplete over topic names.</summary>
public static class TopicSearchEndpoint
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 50;
    public const int MaxQueryLength = 100;

    /// <summary>
    /// Names are compared in their search form (<see cref="TopicSearch"/>: "crm-software" finds "CRM Software"), the
    /// query put in the same form. Ranks: 0 the whole name, 1 the start of the name, 2 the start of a word, 3 every word
    /// of the query starting a word of the name in any order, 4 inside a word. Within a rank, topics with the larger
    /// audience on the latest data date come first.
    /// </summary>
    public const string SearchSql = $"""
        WITH q AS (
            SELECT term, ARRAY(SELECT '% ' || w || '%' FROM unnest(string_to_array(term, ' ')) w) AS words
            FROM (SELECT btrim(regexp_replace(lower($1), {TopicSearch.Separators}, ' ', 'g')) AS term) query
        ), ranked AS (
            SELECT t.topic_id, t.topic_name, t.type, t.industry, t.category, CASE
                       WHEN t.search_name = ' ' || q.term || ' ' THEN 0
                       WHEN t.search_name LIKE ' ' || q.term || '%' THEN 1
                       WHEN t.search_name LIKE '% ' || q.term || '%' THEN 2
                       WHEN t.search_name LIKE ALL (q.words) THEN 3
                       ELSE 4
                   END AS rank
            FROM topics t, q
            WHERE q.term <> ''
              AND (t.search_name LIKE '%' || q.term || '%' OR t.search_name LIKE ALL (q.words))
              AND ($2::text IS NULL OR t.type = $2)
              AND ($3::text IS NULL OR lower(t.industry) = lower($3))
        )
        SELECT r.topic_id, r.topic_name, r.type, r.industry, r.category
        FROM ranked r
        ORDER BY r.rank,
                 coalesce((SELECT a.unique_audience FROM topic_daily_aggregates a
                           WHERE a.data_date = (SELECT max(data_date) FROM data_dates WHERE complete) AND a.topic_id = r.topic_id), 0) DESC,
                 r.topic_name, r.topic_id
        LIMIT $4
        """;

    public static void Map(RouteGroupBuilder topics) =>
        topics.MapGet("/search", Search).WithName("SearchTopics")
            .WithSummary("Autocomplete topics by name: whole-name, prefix and word matches first (no authentication)")
            .WithExamples(
                parameters: new Dictionary<string, string> { ["q"] = "\"crm\"", ["type"] = "\"b2b\"", ["industry"] = "\"Software\"", ["limit"] = "10" },
                response: """
                    {"data": [{"topicId": 17, "topicName": "CRM Software", "type": "b2b", "industry": "Software", "category": "Sales"},
                              {"topicId": 342, "topicName": "Enterprise CRM", "type": "b2b", "industry": "Software", "category": "Sales"}],
                     "meta": {"timestamp": "2026-11-28T09:00:00Z", "request_id": "0HN8J2K3L4M5N:00000002"}}
                    """);

    public static async Task<Ok<DataEnvelope<List<TopicResponse>>>> Search(
        HttpContext http, IntentDbContext db, string? q, string? type, string? industry, int? limit, CancellationToken cancellationToken)
    {
        var term = q?.Trim();
        Validation.Check(!string.IsNullOrEmpty(term), "q", "is required");
        Validation.Check(term!.Length <= MaxQueryLength, "q", $"must be at most {MaxQueryLength} characters");
        Validation.Check(term.Any(char.IsLetterOrDigit), "q", "must contain a letter or a digit");
        var topicType = TopicSql.Type(type);
        var topicIndustry = TopicSql.Industry(industry);
        var take = TopicSql.Limit(limit, DefaultLimit, MaxLimit);

        var topics = await TopicSql.QueryAsync(db, SearchSql,
            [TopicSql.Text(term), TopicSql.Text(topicType), TopicSql.Text(topicIndustry), TopicSql.Integer(take)],
            r => new TopicResponse(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)),
            cancellationToken);
        return TypedResults.Ok(http.Envelope(topics));
    }
}
