using System.Globalization;
using System.Net;
using System.Text.Json;
using Intent.Data.Loading;
using Npgsql;

namespace Intent.Tests.Integration.Api;

/// <summary>
/// Facets, search, trend, compare and movers answer what SQL over the topics and the scores says, computed here
/// independently of the aggregates the API reads.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class TopicDiscoveryTests(TopicDiscoveryWorld world) : IClassFixture<TopicDiscoveryWorld>
{
    private sealed record Point(string Date, int Audience, decimal? Average, int High, int Medium, int Low);

    private sealed record Mover(int TopicId, int Today, int Yesterday, decimal PctChange);

    [Fact]
    public async Task Facets_count_the_topics_of_each_type_industry_and_category()
    {
        var (response, body) = await world.Anonymous.SendAsync(HttpMethod.Get, "/v1/intent/topics/facets");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var (facet, column) in new[] { ("types", "type"), ("industries", "industry"), ("categories", "category") })
        {
            var expected = (await world.RowsAsync($"SELECT {column}, count(*)::int FROM topics GROUP BY {column}"))
                .ToDictionary(r => (string)r[0]!, r => (int)r[1]!);
            var values = body.Data().GetProperty(facet).EnumerateArray()
                .Select(v => (Value: v.GetProperty("value").GetString()!, Count: v.GetProperty("count").GetInt32())).ToList();

            Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), values.ToDictionary(v => v.Value, v => v.Count).OrderBy(e => e.Key, StringComparer.Ordinal));
            Assert.Equal(values.Select(v => v.Count).OrderDescending(), values.Select(v => v.Count));
        }
    }

    [Fact]
    public async Task Trend_gives_every_complete_date_the_topics_audience_average_score_and_score_bands()
    {
        var topics = await TopicIdsAsync("ORDER BY topic_id LIMIT 5");
        var quiet = await QuietTopicAsync();

        foreach (var topicId in topics.Append(quiet))
        {
            var (response, body) = await world.Anonymous.SendAsync(HttpMethod.Get, $"/v1/intent/topics/{topicId}/trend");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var expected = (await ExpectedSeriesAsync([topicId], days: 30))[topicId];
            Assert.Equal(3, expected.Count);
            Assert.Equal(expected, [.. body.Data().EnumerateArray().Select(ToPoint)]);
            Assert.All(body.Data().EnumerateArray(), p => Assert.Equal(p.GetProperty("uniqueAudience").GetInt32(), p.GetProperty("totalSignals").GetInt32()));
        }

        var (_, latestTwo) = await world.Anonymous.SendAsync(HttpMethod.Get, $"/v1/intent/topics/{topics[0]}/trend?days=2");
        Assert.Equal((await ExpectedSeriesAsync([topics[0]], days: 2))[topics[0]], [.. latestTwo.Data().EnumerateArray().Select(ToPoint)]);
        Assert.Equal(["2001-03-02", "2001-03-03"], latestTwo.Data().EnumerateArray().Select(p => p.GetProperty("date").GetString()));

        var (_, quietBody) = await world.Anonymous.SendAsync(HttpMethod.Get, $"/v1/intent/topics/{quiet}/trend");
        Assert.All(quietBody.Data().EnumerateArray(), p =>
        {
            Assert.Equal(0, p.GetProperty("uniqueAudience").GetInt32());
            Assert.Equal(JsonValueKind.Null, p.GetProperty("avgScore").ValueKind);
        });
    }

    [Fact]
    public async Task Compare_returns_the_daily_series_of_each_topic_once_in_the_order_asked()
    {
        var topics = await TopicIdsAsync("ORDER BY topic_id DESC LIMIT 3");
        int[] asked = [topics[1], topics[0], topics[2], topics[1]];

        var (response, body) = await world.Anonymous.SendAsync(HttpMethod.Post, "/v1/intent/topics/compare", new { topicIds = asked, days = 2 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var series = body.Data().EnumerateArray().ToList();
        Assert.Equal([topics[1], topics[0], topics[2]], series.Select(s => s.GetProperty("topicId").GetInt32()));
        var expected = await ExpectedSeriesAsync(topics, days: 2);
        foreach (var topic in series)
        {
            var topicId = topic.GetProperty("topicId").GetInt32();
            Assert.Equal(expected[topicId], [.. topic.GetProperty("data").EnumerateArray().Select(ToPoint)]);
            var name = (string)(await world.RowsAsync($"SELECT topic_name FROM topics WHERE topic_id = {topicId}"))[0][0]!;
            Assert.Equal(name, topic.GetProperty("topicName").GetString());
        }
    }

    [Theory]
    [InlineData("up", null, false, null)]
    [InlineData("down", null, false, null)]
    [InlineData("up", "b2b", false, 40)]
    [InlineData("down", null, true, null)]
    public async Task Movers_rank_topics_by_their_percent_change_from_the_previous_date_to_the_latest(string direction, string? type, bool byIndustry, int? minAudience)
    {
        var industry = byIndustry
            ? (string?)(await world.RowsAsync("SELECT industry FROM topics GROUP BY industry ORDER BY count(*) DESC, industry LIMIT 1"))[0][0]
            : null;
        var counts = await world.RowsAsync(
            $"""
            SELECT t.topic_id, count(s.score) FILTER (WHERE s.data_date = '{TopicDiscoveryWorld.LastDate}')::int,
                   count(s.score) FILTER (WHERE s.data_date = '2001-03-02')::int
            FROM topics t LEFT JOIN intent_scores s ON s.topic_id = t.topic_id
            WHERE ({(type is null ? "true" : $"t.type = '{type}'")}) AND ({(industry is null ? "true" : $"t.industry = '{industry}'")})
            GROUP BY t.topic_id
            """);
        var changes = counts.Select(r => (TopicId: (int)r[0]!, Today: (int)r[1]!, Yesterday: (int)r[2]!))
            .Where(c => c.Yesterday >= (minAudience ?? 1) && (direction == "up" ? c.Today > c.Yesterday : c.Today < c.Yesterday))
            .Select(c => new Mover(c.TopicId, c.Today, c.Yesterday, Math.Round((c.Today - c.Yesterday) * 100m / c.Yesterday, 2, MidpointRounding.AwayFromZero)));
        var expected = (direction == "up"
                ? changes.OrderByDescending(m => m.PctChange).ThenByDescending(m => m.Today - m.Yesterday)
                : changes.OrderBy(m => m.PctChange).ThenByDescending(m => m.Yesterday - m.Today))
            .ThenBy(m => m.TopicId).Take(50).ToList();
        Assert.NotEmpty(expected);
        Assert.True(minAudience is null || counts.Any(r => (int)r[2]! is > 0 and < 40), "the floor should leave out some topics");

        var query = $"limit=50&direction={direction}" + (type is null ? "" : $"&type={type}") + (minAudience is null ? "" : $"&minAudience={minAudience}") + (industry is null ? "" : $"&industry={Uri.EscapeDataString(industry.ToUpperInvariant())}");
        var (response, body) = await world.Anonymous.SendAsync(HttpMethod.Get, $"/v1/intent/topics/movers?{query}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var movers = body.Data().EnumerateArray().ToList();
        Assert.Equal(expected, [.. movers.Select(m => new Mover(m.GetProperty("topicId").GetInt32(), m.GetProperty("todayAudience").GetInt32(),
            m.GetProperty("yesterdayAudience").GetInt32(), m.GetProperty("pctChange").GetDecimal()))]);
        Assert.All(movers, m =>
        {
            Assert.Equal(TopicDiscoveryWorld.LastDate, m.GetProperty("dataDate").GetString());
            Assert.Equal("2001-03-02", m.GetProperty("previousDate").GetString());
            Assert.True(type is null || m.GetProperty("type").GetString() == type);
            Assert.True(industry is null || m.GetProperty("industry").GetString() == industry);
        });

        var (_, three) = await world.Anonymous.SendAsync(HttpMethod.Get, $"/v1/intent/topics/movers?{query.Replace("limit=50", "limit=3", StringComparison.Ordinal)}");
        Assert.Equal(expected.Take(3).Select(m => m.TopicId), three.Data().EnumerateArray().Select(m => m.GetProperty("topicId").GetInt32()));
    }

    [Fact]
    public async Task Search_ranks_whole_name_prefix_and_word_matches_before_matches_inside_a_word()
    {
        await world.ExecuteAsync(
            """
            INSERT INTO topics (topic_id, topic_name, type, industry, category) VALUES
                (900001, 'Subquasar Mapping', 'b2b', 'Astronomy', 'Tools'),
                (900002, 'Platform for quasars', 'b2b', 'Astronomy', 'Tools'),
                (900003, 'Quasar Analytics', 'b2b', 'Astronomy', 'Tools'),
                (900004, 'Edge (Quasar) Tools', 'b2c', 'Astronomy', 'Tools'),
                (900005, 'quasar-ops', 'b2b', 'Astronomy', 'Tools'),
                (900006, 'Cloud Quasar Platform', 'b2b', 'Optics', 'Tools'),
                (900007, 'Quasar', 'b2b', 'Astronomy', 'Tools')
            ON CONFLICT DO NOTHING;
            """);
        // The two name-prefix matches get audiences on the latest date: the larger one comes first.
        await world.ExecuteAsync(
            $"""
            DELETE FROM intent_scores WHERE topic_id IN (900003, 900005);
            INSERT INTO intent_scores (data_date, person_id, topic_id, score)
            SELECT '{TopicDiscoveryWorld.LastDate}', person_id, CASE WHEN person_id <= 2 THEN 900003 ELSE 900005 END, 60
            FROM people WHERE person_id <= 7;
            """);
        await RefreshAsync(DateOnly.Parse(TopicDiscoveryWorld.LastDate, CultureInfo.InvariantCulture));

        Assert.Equal([900007, 900005, 900003, 900006, 900004, 900002, 900001], await SearchAsync("q=quasar"));
        Assert.Equal([900007, 900005, 900003], await SearchAsync("q=QUASAR&limit=3"));
        Assert.Equal([900003], await SearchAsync("q=quasar-analytics"));
        Assert.Equal([900007, 900005, 900003, 900002, 900001], await SearchAsync("q=quasar%20&type=b2b&industry=ASTRONOMY&limit=50"));
        // Every word of the query starts a word of the name, in another order: after the phrase matches, before inside-a-word ones.
        Assert.Equal([900006, 900002], await SearchAsync("q=platform%20quasar"));
        Assert.Empty(await SearchAsync("q=nothing-like-it"));
    }

    [Fact]
    public async Task Unknown_topics_answer_404_on_trend_and_400_naming_them_on_compare()
    {
        var (trend, trendBody) = await world.Anonymous.SendAsync(HttpMethod.Get, "/v1/intent/topics/2100000000/trend");
        Assert.Equal(HttpStatusCode.NotFound, trend.StatusCode);
        Assert.Equal("NOT_FOUND", trendBody.ErrorCode());

        var known = (await TopicIdsAsync("LIMIT 1"))[0];
        var (compare, compareBody) = await world.Anonymous.SendAsync(HttpMethod.Post, "/v1/intent/topics/compare", new { topicIds = new[] { known, 2100000000, 2100000001 } });
        Assert.Equal(HttpStatusCode.BadRequest, compare.StatusCode);
        Assert.Equal("VALIDATION_ERROR", compareBody.ErrorCode());
        Assert.Contains("2100000000, 2100000001", compareBody.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/intent/topics/search", null, "q")]
    [InlineData("GET", "/v1/intent/topics/search?q=%20%20", null, "q")]
    [InlineData("GET", "/v1/intent/topics/search?q=!!!", null, "q")]
    [InlineData("GET", "/v1/intent/topics/search?q=crm&limit=0", null, "limit")]
    [InlineData("GET", "/v1/intent/topics/search?q=crm&limit=51", null, "limit")]
    [InlineData("GET", "/v1/intent/topics/search?q=crm&type=b2x", null, "type")]
    [InlineData("GET", "/v1/intent/topics/search?q=crm&limit=ten", null, null)]
    [InlineData("GET", "/v1/intent/topics/1/trend?days=0", null, "days")]
    [InlineData("GET", "/v1/intent/topics/1/trend?days=366", null, "days")]
    [InlineData("GET", "/v1/intent/topics/crm/trend", null, null)]
    [InlineData("GET", "/v1/intent/topics/99999999999/trend", null, null)]
    [InlineData("POST", "/v1/intent/topics/compare", "{}", "topicIds")]
    [InlineData("POST", "/v1/intent/topics/compare", """{"topicIds": []}""", "topicIds")]
    [InlineData("POST", "/v1/intent/topics/compare", """{"topicIds": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}""", "topicIds")]
    [InlineData("POST", "/v1/intent/topics/compare", """{"topicIds": [1, 0]}""", "topicIds[1]")]
    [InlineData("POST", "/v1/intent/topics/compare", """{"topicIds": [1], "days": 0}""", "days")]
    [InlineData("POST", "/v1/intent/topics/compare", """{"topicIds": "1"}""", null)]
    [InlineData("POST", "/v1/intent/topics/compare", """{"topicIds": [null]}""", null)]
    [InlineData("GET", "/v1/intent/topics/movers?limit=0", null, "limit")]
    [InlineData("GET", "/v1/intent/topics/movers?limit=51", null, "limit")]
    [InlineData("GET", "/v1/intent/topics/movers?direction=sideways", null, "direction")]
    [InlineData("GET", "/v1/intent/topics/movers?type=both2", null, "type")]
    [InlineData("GET", "/v1/intent/topics/movers?minAudience=0", null, "minAudience")]
    [InlineData("POST", "/v1/intent/topics/analyze", "{}", "url")]
    [InlineData("POST", "/v1/intent/topics/analyze", """{"url": "ftp://example.com"}""", "url")]
    [InlineData("POST", "/v1/intent/topics/analyze", """{"url": "not a website"}""", "url")]
    public async Task Bad_input_answers_400_in_the_error_envelope(string method, string path, string? body, string? field)
    {
        var (response, answer) = await world.Anonymous.SendAsync(new HttpMethod(method), path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", answer.ErrorCode());
        if (field is not null)
        {
            var errors = answer.GetProperty("error").GetProperty("details").GetProperty("errors");
            Assert.Contains(errors.EnumerateArray(), e => e.GetProperty("field").GetString() == field);
        }
    }

    [Fact]
    public async Task Analyze_is_not_offered_and_says_so_in_the_error_envelope()
    {
        var (response, body) = await world.Anonymous.SendAsync(HttpMethod.Post, "/v1/intent/topics/analyze", new { url = "https://www.example.com" });

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal("NOT_IMPLEMENTED", body.ErrorCode());
        Assert.Contains("/v1/intent/topics/search", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_shows_an_example_for_every_discovery_operation()
    {
        var (_, document) = await world.Anonymous.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        var paths = document.GetProperty("paths");

        foreach (var (path, method) in new[]
                 {
                     ("/v1/intent/topics/facets", "get"), ("/v1/intent/topics/search", "get"), ("/v1/intent/topics/{topicId}/trend", "get"),
                     ("/v1/intent/topics/compare", "post"), ("/v1/intent/topics/movers", "get"),
                 })
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            var example = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");
            Assert.True(example.GetProperty("data").ValueKind is JsonValueKind.Array or JsonValueKind.Object, $"{method} {path}");
            Assert.False(operation.TryGetProperty("security", out _), $"{method} {path} is public");
        }

        var q = paths.GetProperty("/v1/intent/topics/search").GetProperty("get").GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "q");
        Assert.Equal("crm", q.GetProperty("example").GetString());
        Assert.Equal(JsonValueKind.Array, paths.GetProperty("/v1/intent/topics/compare").GetProperty("post").GetProperty("requestBody").GetProperty("content")
            .GetProperty("application/json").GetProperty("example").GetProperty("topicIds").ValueKind);
        Assert.True(paths.GetProperty("/v1/intent/topics/analyze").GetProperty("post").GetProperty("responses").TryGetProperty("501", out _));
    }

    private static Point ToPoint(JsonElement p) => new(
        p.GetProperty("date").GetString()!,
        p.GetProperty("uniqueAudience").GetInt32(),
        p.GetProperty("avgScore").ValueKind == JsonValueKind.Null ? null : p.GetProperty("avgScore").GetDecimal(),
        p.GetProperty("highAudience").GetInt32(),
        p.GetProperty("mediumAudience").GetInt32(),
        p.GetProperty("lowAudience").GetInt32());

    /// <summary>Straight from the scores: every complete date of the latest <paramref name="days"/>, with or without scores of the topic.</summary>
    private async Task<Dictionary<int, List<Point>>> ExpectedSeriesAsync(int[] topicIds, int days)
    {
        var rows = await world.RowsAsync(
            $"""
            SELECT t.topic_id, d.data_date::text, count(s.score)::int, round(avg(s.score), 2),
                   (count(s.score) FILTER (WHERE s.score >= 70))::int,
                   (count(s.score) FILTER (WHERE s.score BETWEEN 50 AND 69))::int,
                   (count(s.score) FILTER (WHERE s.score <= 49))::int
            FROM topics t
            CROSS JOIN (SELECT data_date FROM data_dates WHERE complete ORDER BY data_date DESC LIMIT {days}) d
            LEFT JOIN intent_scores s ON s.topic_id = t.topic_id AND s.data_date = d.data_date
            WHERE t.topic_id IN ({string.Join(", ", topicIds)})
            GROUP BY t.topic_id, d.data_date
            ORDER BY t.topic_id, d.data_date
            """);
        return rows.GroupBy(r => (int)r[0]!).ToDictionary(g => g.Key, g => g
            .Select(r => new Point((string)r[1]!, (int)r[2]!, (decimal?)r[3], (int)r[4]!, (int)r[5]!, (int)r[6]!)).ToList());
    }

    private async Task<int[]> TopicIdsAsync(string tail) =>
        [.. (await world.RowsAsync($"SELECT topic_id FROM topics WHERE topic_id < 900000 {tail}")).Select(r => (int)r[0]!)];

    /// <summary>A topic nobody is scored on.</summary>
    private async Task<int> QuietTopicAsync()
    {
        await world.ExecuteAsync("INSERT INTO topics (topic_id, topic_name, type, industry, category) VALUES (900100, 'Quiet Topic', 'b2c', 'Retail', 'Misc') ON CONFLICT DO NOTHING");
        return 900100;
    }

    private async Task<List<int>> SearchAsync(string query)
    {
        var (response, body) = await world.Anonymous.SendAsync(HttpMethod.Get, $"/v1/intent/topics/search?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. body.Data().EnumerateArray().Select(t => t.GetProperty("topicId").GetInt32())];
    }

    private async Task RefreshAsync(DateOnly date)
    {
        await using var connection = new NpgsqlConnection(world.ConnectionString);
        await connection.OpenAsync();
        await TopicDailyAggregates.RefreshAsync(connection, date, transaction: null);
    }
}
