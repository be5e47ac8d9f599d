using Intent.Api.Errors;
using Intent.Api.OpenApi;
using Intent.Data;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Intent.Api.Topics;

/// <summary>
/// <c>GET /v1/intent/topics/movers</c>: topics whose audience rose (<c>up</c>) or fell (<c>down</c>) the most, in
/// percent, from the previous complete data date to the latest. A topic without audience on the previous date has
/// no percent change and is not a mover; <c>minAudience</c> (ours, default 1) leaves out topics smaller than that on
/// the previous date, whose percentages swing most.
/// </summary>
public static class TopicMoversEndpoint
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 50;

    private const string MoversSql = """
        SELECT topic_id, topic_name, type, industry, today, yesterday, round((today - yesterday) * 100.0 / yesterday, 2) AS pct_change
        FROM (
            SELECT t.topic_id, t.topic_name, t.type, t.industry, coalesce(n.unique_audience, 0) AS today, p.unique_audience AS yesterday
            FROM topic_daily_aggregates p
            JOIN topics t ON t.topic_id = p.topic_id
            LEFT JOIN topic_daily_aggregates n ON n.data_date = $1 AND n.topic_id = p.topic_id
            WHERE p.data_date = $2 AND p.unique_audience >= $6
              AND ($3::text IS NULL OR t.type = $3)
              AND ($4::text IS NULL OR lower(t.industry) = lower($4))
        ) m
        """;

    private const string UpSql = MoversSql + """

        WHERE today > yesterday
        ORDER BY pct_change DESC, today - yesterday DESC, topic_id
        LIMIT $5
        """;

    private const string DownSql = MoversSql + """

        WHERE today < yesterday
        ORDER BY pct_change, yesterday - today DESC, topic_id
        LIMIT $5
        """;

    public static void Map(RouteGroupBuilder topics) =>
        topics.MapGet("/movers", GetMovers).WithName("GetTopicMovers")
            .WithSummary("Topics whose audience changed most from the previous data date to the latest, in percent (no authentication)")
            .WithExamples(
                parameters: new Dictionary<string, string>
                {
                    ["limit"] = "20", ["direction"] = "\"up\"", ["type"] = "\"b2b\"", ["industry"] = "\"Software\"", ["minAudience"] = "100",
                },
                response: """
                    {"data": [{"topicId": 342, "topicName": "Enterprise CRM", "type": "b2b", "industry": "Software", "todayAudience": 1830,
                               "yesterdayAudience": 1220, "pctChange": 50.00, "dataDate": "2026-11-27", "previousDate": "2026-11-26"}],
                     "meta": {"timestamp": "2026-11-28T09:00:00Z", "request_id": "0HN8J2K3L4M5N:00000005"}}
                    """);

    public static async Task<Ok<DataEnvelope<List<TopicMover>>>> GetMovers(
        HttpContext http, IntentDbContext db, int? limit, string? direction, string? type, string? industry, int? minAudience,
        CancellationToken cancellationToken)
    {
        var take = TopicSql.Limit(limit, DefaultLimit, MaxLimit);
        var floor = minAudience ?? 1;
        Validation.Check(floor >= 1, "minAudience", "must be 1 or more");
        var sql = direction switch
        {
            null or "" or "up" => UpSql,
            "down" => DownSql,
            _ => throw Validation.Error("direction", "must be up or down"),
        };
        var topicType = TopicSql.Type(type);
        var topicIndustry = TopicSql.Industry(industry);

        var dates = await db.DataDates.AsNoTracking().Where(d => d.Complete).OrderByDescending(d => d.Date).Select(d => d.Date).Take(2)
            .ToListAsync(cancellationToken);
        if (dates is not [var today, var previous])
        {
            return TypedResults.Ok(http.Envelope(new List<TopicMover>()));
        }

        var movers = await TopicSql.QueryAsync(db, sql,
            [TopicSql.Date(today), TopicSql.Date(previous), TopicSql.Text(topicType), TopicSql.Text(topicIndustry), TopicSql.Integer(take), TopicSql.Integer(floor)],
            r => new TopicMover(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), r.GetDecimal(6), today, previous),
            cancellationToken);
        return TypedResults.Ok(http.Envelope(movers));
    }
}
