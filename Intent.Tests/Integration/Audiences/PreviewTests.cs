using System.Net;
using System.Text.Json;
using Intent.Data.Runs;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;
using Intent.Tests.Integration.Telemetry;

namespace Intent.Tests.Integration.Audiences;

/// <summary>
/// <c>POST /v1/intent/audiences/preview</c> counts what a run of the same config materializes, breaks it down and
/// samples it as the run ranks it, masked, and stores nothing.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class PreviewTests(BuilderWorldFixture fixture) : IClassFixture<BuilderWorldFixture>
{
    // Orbit's nested form; the audience below gets the same config in the dotted form.
    private const string NestedConfig = """
        {"topicIds": [5, 1, 2, 3, 4], "minScore": 30,
         "filters": {"role": {"seniority": ["manager", "Director", "vp", "c_suite"], "isVp": false},
                     "contact": {"hasBusinessEmail": true},
                     "jobTitle": {"exclude": ["analyst"]},
                     "location": {"countries": ["us", "gb", "ca", "de"]}}}
        """;

    private const string DottedConfig = """
        {"topicIds": [1, 2, 3, 4, 5], "minScore": 30,
         "filters": {"role.seniority": {"values": ["c_suite", "director", "manager", "vp"]}, "role.isVp": false,
                     "contact.hasBusinessEmail": true, "jobTitle.exclude": {"values": ["analyst"], "operator": "contains"},
                     "location.countries": {"values": ["US", "GB", "CA", "DE"], "mode": "any"}}}
        """;

    // The same audience written straight on intent_scores and people, without people_traits, FilterSql or the catalog.
    private const string IndependentCount = """
        SELECT count(*) FROM (
            SELECT person_id FROM intent_scores
            WHERE data_date = '2001-01-02' AND topic_id IN (1, 2, 3, 4, 5) AND score BETWEEN 30 AND 100
            GROUP BY person_id HAVING count(*) >= 1) c
        JOIN people p USING (person_id)
        WHERE lower(p.seniority) IN ('manager', 'director', 'vp', 'c_suite')
          AND NOT coalesce(p.job_title ~* '\m(vp|svp|evp|avp|vice[ -]president)\M', false)
          AND p.business_email IS NOT NULL
          AND NOT coalesce(lower(p.job_title) LIKE '%analyst%', false)
          AND lower(p.country) IN ('us', 'gb', 'ca', 'de')
        """;

    private RunsWorld World => fixture.World;

    [Fact]
    public async Task A_preview_counts_breaks_down_and_samples_what_a_run_of_the_same_config_materializes()
    {
        var (previewed, body) = await World.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/preview", NestedConfig);
        Assert.Equal(HttpStatusCode.OK, previewed.StatusCode);
        var preview = body.Data();
        var total = preview.GetProperty("totalCount").GetInt64();
        Assert.True(total > 20, $"a preview of some size ({total})");
        Assert.Equal(await World.Database.ScalarAsync<long>(IndependentCount), total);
        Assert.Equal(RunsWorld.DataDate, preview.GetProperty("dataDate").GetString());
        Assert.Equal("day_partition_in_traits", preview.GetProperty("strategy").GetString());
        Assert.Equal(["role.seniority", "role.isVp", "jobTitle.exclude", "contact.hasBusinessEmail", "location.countries"],
            preview.GetProperty("appliedFilters").EnumerateArray().Select(f => f.GetProperty("key").GetString()));

        using var dotted = JsonDocument.Parse(DottedConfig);
        var audience = await World.AudienceAsync(dotted.RootElement);
        var runId = (await World.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await World.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(total, run.GetProperty("resultCount").GetInt64());
        Assert.Equal(run.GetProperty("configHash").GetString(), preview.GetProperty("configHash").GetString());
        Assert.Equal(run.GetProperty("dataDate").GetString(), preview.GetProperty("dataDate").GetString());

        var members = $"{SnapshotPages.Members()} JOIN audience_snapshots s ON s.id = m.snapshot_id JOIN people p ON p.person_id = m.person_id "
                      + $"WHERE s.result_key = '{run.GetProperty("resultKey").GetString()}'";
        var sample = preview.GetProperty("sample").EnumerateArray().ToList();
        Assert.Equal(10, sample.Count);
        Assert.Equal(
            await World.Database.ScalarAsync<string>($"""
                SELECT string_agg(left(p.hashed_email, 6) || '…/' || m.intent_score || '/' || m.topic_overlap || '/' || array_to_string(m.matched_topic_ids, ';')
                                  || '/' || coalesce(p.job_title, '') || '/' || coalesce(p.company_domain, ''), ',' ORDER BY m.rank)
                FROM {members} AND m.rank <= 10
                """),
            string.Join(',', sample.Select(r =>
            {
                var intent = r.GetProperty("intent");
                var topics = intent.GetProperty("matchedTopics").EnumerateArray().Select(t => t.GetProperty("topicId").GetInt32());
                return $"{r.GetProperty("hashedEmail").GetString()}/{intent.GetProperty("score").GetInt32()}/{intent.GetProperty("topicOverlap").GetInt32()}/"
                       + $"{string.Join(';', topics)}/{r.GetProperty("jobTitle").GetString()}/{r.GetProperty("company").GetProperty("domain").GetString()}";
            })));

        foreach (var (breakdown, column) in new[] { ("industries", "company_industry"), ("seniorities", "seniority") })
        {
            Assert.Equal(
                await World.Database.ScalarAsync<string>($"""
                    SELECT string_agg(v || '=' || n, '|' ORDER BY n DESC, v) FROM (
                        SELECT lower(p.{column}) AS v, count(*) AS n FROM {members} AND p.{column} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10) g
                    """),
                string.Join('|', preview.GetProperty("breakdowns").GetProperty(breakdown).EnumerateArray()
                    .Select(b => $"{b.GetProperty("value").GetString()}={b.GetProperty("count").GetInt64()}")));
        }
    }

    [Fact]
    public async Task A_preview_stores_nothing_and_masks_every_sample_person()
    {
        const string Fingerprint = """
            SELECT concat_ws('/', (SELECT count(*) FROM audiences), (SELECT count(*) FROM audience_runs), (SELECT count(*) FROM audience_snapshots),
                (SELECT count(*) FROM audience_snapshot_pages), (SELECT count(*) FROM outbox_message), (SELECT count(*) FROM filter_catalog_builds))
            """;
        var before = await World.Database.ScalarAsync<string>(Fingerprint);

        var (response, body) = await World.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/preview",
            new { config = new { topicIds = new[] { 1, 2 }, minScore = 1 } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, await World.Database.ScalarAsync<string>(Fingerprint));
        var sample = body.Data().GetProperty("sample").EnumerateArray().ToList();
        Assert.Equal(10, sample.Count);
        Assert.Equal("day_partition_in", body.Data().GetProperty("strategy").GetString());
        Assert.Empty(body.Data().GetProperty("appliedFilters").EnumerateArray());
        foreach (var person in sample)
        {
            Assert.Equal(["company", "firstName", "hashedEmail", "intent", "jobTitle", "lastName", "masked", "seniority"],
                person.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Matches("^[0-9a-f]{6}…$", person.GetProperty("hashedEmail").GetString());
            foreach (var name in new[] { "firstName", "lastName" })
            {
                var value = person.GetProperty(name);
                Assert.True(value.ValueKind == JsonValueKind.Null || System.Text.RegularExpressions.Regex.IsMatch(value.GetString()!, @"^\w\*\*\*$"), $"{name} {value}");
            }

            Assert.True(person.GetProperty("masked").GetBoolean());
            var topic = person.GetProperty("intent").GetProperty("matchedTopics")[0];
            Assert.False(string.IsNullOrEmpty(topic.GetProperty("topicName").GetString()));
            Assert.Contains(topic.GetProperty("type").GetString(), new[] { "b2b", "b2c" });
        }

        var scores = sample.Select(p => p.GetProperty("intent").GetProperty("score").GetInt32()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
    }

    [Fact]
    public async Task A_bad_config_answers_400_naming_its_field_in_the_form_it_came_in()
    {
        foreach (var (body, field) in new (string, string)[]
                 {
                     ("""{"topicIds": [1], "minScore": 0}""", "minScore"),
                     ("""{"config": {"topicIds": [1], "minScore": 0}}""", "config.minScore"),
                     ("""{"topicIds": [1], "filters": {"role": {"seniority": {"values": ["vp"], "mode": "most"}}}}""", "filters.role.seniority.mode"),
                     ("""{"topicIds": [1999999999]}""", "topicIds"),
                     ("""{"name": "not a config"}""", "name"),
                     ("""[1, 2]""", "body"),
                 })
        {
            var (response, error) = await World.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/preview", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("VALIDATION_ERROR", error.ErrorCode());
            Assert.Contains(error.GetProperty("error").GetProperty("details").GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field);
        }
    }

    [Fact]
    public async Task Without_complete_data_a_preview_answers_409_and_over_its_timeout_503_and_both_are_counted()
    {
        await using (var empty = await RunsWorld.CreateAsync(seeded: false, worker: false))
        {
            await using (var db = empty.Database.CreateDbContext())
            {
                await TestData.TopicOneAsync(db);
            }

            var (response, body) = await empty.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/preview", new { topicIds = new[] { 1 } });
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("NO_INTENT_DATA", body.ErrorCode());
            var metrics = await Scrape.MetricsAsync(empty.AnonymousClient());
            Assert.Equal(1, Scrape.Value(metrics, "intent_previews_total", "outcome=\"no_data\""));
        }

        await using var world = await RunsWorld.CreateAsync(worker: false,
            apiSettings: new Dictionary<string, string?> { ["Previews:StatementTimeout"] = "00:00:00.500" });
        await using (var scores = await ScoresLock.TakeAsync(world.Database))
        {
            var (timedOut, error) = await world.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/preview", new { topicIds = new[] { 1 } });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, timedOut.StatusCode);
            Assert.Equal("PREVIEW_TIMEOUT", error.ErrorCode());
            Assert.DoesNotContain("statement", error.GetProperty("error").GetProperty("message").GetString()!, StringComparison.OrdinalIgnoreCase);
        }

        var (answered, _) = await world.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/preview", new { topicIds = new[] { 1 } });
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var (_, _) = await world.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/preview", new { topicIds = Array.Empty<int>() });

        var text = await Scrape.MetricsAsync(world.AnonymousClient());
        Assert.Equal(1, Scrape.Value(text, "intent_previews_total", "outcome=\"timeout\""));
        Assert.Equal(1, Scrape.Value(text, "intent_previews_total", "outcome=\"completed\""));
        Assert.Equal(1, Scrape.Value(text, "intent_previews_total", "outcome=\"invalid\""));
        Assert.Equal(3, Scrape.Value(text, "intent_previews_duration_seconds_count"));
    }
}
