using Intent.Api.Errors;
using Intent.Api.OpenApi;
using Intent.Data;
using Intent.Pipeline.Audiences;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Intent.Api.Topics;

/// <summary>
/// <c>GET /v1/intent/topics/{topicId}/trend</c> and <c>POST /v1/intent/topics/compare</c>: topics' daily points over
/// the latest complete data dates, oldest first; a date on which a topic has no scores is a point with no audience.
/// </summary>
public static class TopicTrendEndpoints
{
    public const int DefaultDays = 30;
    public const int MaxDays = 365;
    public const int MaxCompared = 10;

    /// <summary>
    /// A topic with no complete date yet still has its row (with a null date), so it is known to exist. Each point is one
    /// index lookup, however many days the table holds.
    /// </summary>
    public const string SeriesSql = """
        WITH dates AS (
            SELECT data_date FROM data_dates WHERE complete ORDER BY data_date DESC LIMIT $2
        )
        SELECT t.topic_id, t.topic_name, t.type, t.industry, t.category, d.data_date,
               coalesce(a.unique_audience, 0), round(a.score_sum::numeric / a.unique_audience, 2),
               coalesce(a.high_audience, 0), coalesce(a.medium_audience, 0), coalesce(a.low_audience, 0)
        FROM topics t
        LEFT JOIN dates d ON true
        LEFT JOIN LATERAL (
            SELECT * FROM topic_daily_aggregates x WHERE x.topic_id = t.topic_id AND x.data_date = d.data_date
        ) a ON true
        WHERE t.topic_id = ANY($1)
        ORDER BY t.topic_id, d.data_date
        """;

    private const string PointExample = """
        {"date": "2026-11-27", "topicId": 17, "topicName": "CRM Software", "type": "b2b", "industry": "Software", "category": "Sales",
         "uniqueAudience": 5120, "totalSignals": 5120, "avgScore": 61.47, "highAudience": 1873, "mediumAudience": 1210, "lowAudience": 2037}
        """;

    public static void Map(RouteGroupBuilder topics)
    {
        topics.MapGet("/{topicId}/trend", GetTrend).WithName("GetTopicTrend")
            .WithSummary("A topic's audience per data date: unique audience, average score, high/medium/low bands (no authentication)")
            .WithExamples(
                parameters: new Dictionary<string, string> { ["topicId"] = "17", ["days"] = "30" },
                response: $$$"""{"data": [{{{PointExample}}}], "meta": {"timestamp": "2026-11-28T09:00:00Z", "request_id": "0HN8J2K3L4M5N:00000003"}}""");
        topics.MapPost("/compare", Compare).WithName("CompareTopics")
            .WithSummary("Daily series of 1 to 10 topics side by side (no authentication)")
            .WithExamples(
                body: """{"topicIds": [17, 342], "days": 7}""",
                response: $$$"""
                    {"data": [{"topicId": 17, "topicName": "CRM Software", "data": [{{{PointExample}}}]}],
                     "meta": {"timestamp": "2026-11-28T09:00:00Z", "request_id": "0HN8J2K3L4M5N:00000004"}}
                    """);
    }

    public static async Task<Ok<DataEnvelope<List<TopicTrendPoint>>>> GetTrend(
        HttpContext http, IntentDbContext db, int topicId, int? days, CancellationToken cancellationToken)
    {
        var take = TopicSql.Limit(days, DefaultDays, MaxDays, "days");
        var series = await ReadAsync(db, [topicId], take, cancellationToken);
        return series.TryGetValue(topicId, out var topic)
            ? TypedResults.Ok(http.Envelope(topic.Points))
            : throw new ApiException(StatusCodes.Status404NotFound, "NOT_FOUND", $"No topic has the id {topicId}.");
    }

    public static async Task<Ok<DataEnvelope<List<TopicSeries>>>> Compare(
        HttpContext http, IntentDbContext db, CompareTopicsRequest? request, CancellationToken cancellationToken)
    {
        var ids = request?.TopicIds;
        Validation.Check(ids is not null, "topicIds", "is required");
        Validation.Check(ids!.Count is >= 1 and <= MaxCompared, "topicIds", $"must name 1 to {MaxCompared} topics (got {ids.Count} ids)");
        var errors = ids.Select((id, index) => (id, index)).Where(x => x.id < 1)
            .Select(x => new FieldError($"topicIds[{x.index}]", "must be a positive integer topic id")).ToList();
        if (errors.Count > 0)
        {
            throw Validation.Errors(errors);
        }

        var take = TopicSql.Limit(request!.Days, DefaultDays, MaxDays, "days");
        var wanted = ids.Distinct().ToArray();
        var series = await ReadAsync(db, wanted, take, cancellationToken);
        var missing = wanted.Where(id => !series.ContainsKey(id)).ToList();
        Validation.Check(missing.Count == 0, "topicIds", $"names unknown topics: {string.Join(", ", missing)}");

        return TypedResults.Ok(http.Envelope(wanted
            .Select(id => new TopicSeries(id, series[id].Name, series[id].Points))
            .ToList()));
    }

    private static async Task<Dictionary<int, (string Name, List<TopicTrendPoint> Points)>> ReadAsync(IntentDbContext db, int[] topicIds, int days, CancellationToken cancellationToken)
    {
        var rows = await TopicSql.QueryAsync(db, SeriesSql,
            [new NpgsqlParameter { Value = topicIds }, TopicSql.Integer(days)],
            r => (TopicId: r.GetInt32(0), Name: r.GetString(1), Point: r.IsDBNull(5) ? null : new TopicTrendPoint(
                r.GetFieldValue<DateOnly>(5), r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetInt32(6), r.GetInt32(6), r.IsDBNull(7) ? null : r.GetDecimal(7), r.GetInt32(8), r.GetInt32(9), r.GetInt32(10))),
            cancellationToken);
        return rows.GroupBy(r => r.TopicId).ToDictionary(g => g.Key, g => (g.First().Name, g.Where(r => r.Point is not null).Select(r => r.Point!).ToList()));
    }
}
