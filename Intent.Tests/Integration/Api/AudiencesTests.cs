using System.Net;
using System.Text.Json;

namespace Intent.Tests.Integration.Api;

[Collection(IntegrationGroup.Name)]
public sealed class AudiencesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Creating_an_audience_fills_the_defaults_and_hashes_the_normalized_config()
    {
        var (client, organizationId, _) = await api.CallerAsync();
        var topics = await api.TopicsAsync(2);

        var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new
        {
            name = "  Software buyers  ",
            config = new { topicIds = new[] { topics[1], topics[0], topics[1] } },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var audience = body.Data();
        Assert.Equal("Software buyers", audience.GetProperty("name").GetString());
        Assert.Equal(organizationId, audience.GetProperty("organizationId").GetGuid());
        Assert.Equal("draft", audience.GetProperty("status").GetString());
        Assert.False(audience.GetProperty("dailyRefreshEnabled").GetBoolean());
        Assert.Equal(0, audience.GetProperty("audienceSize").GetInt64());
        Assert.Equal(JsonValueKind.Null, audience.GetProperty("lastRefreshedAt").ValueKind);
        var config = audience.GetProperty("config");
        Assert.Equal(topics.Order(), config.GetProperty("topicIds").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal(70, config.GetProperty("minScore").GetInt32());
        Assert.Equal(100, config.GetProperty("maxScore").GetInt32());
        Assert.Equal(1, config.GetProperty("minTopicOverlap").GetInt32());
        Assert.Matches("^[0-9a-f]{64}$", audience.GetProperty("configHash").GetString());
        Assert.Equal($"/v1/intent/audiences/{audience.GetProperty("id").GetGuid()}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task An_active_audience_refreshes_daily_unless_told_otherwise()
    {
        var (client, _, _) = await api.CallerAsync();
        var topics = await api.TopicsAsync(1);

        var (_, active) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name = "a", status = "active", config = new { topicIds = topics } });
        var (_, off) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences",
            new { name = "b", status = "active", dailyRefreshEnabled = false, config = new { topicIds = topics } });

        Assert.True(active.Data().GetProperty("dailyRefreshEnabled").GetBoolean());
        Assert.False(off.Data().GetProperty("dailyRefreshEnabled").GetBoolean());
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"config": {"topicIds": [TOPIC]}}""", "name" },
        { """{"name": "", "config": {"topicIds": [TOPIC]}}""", "name" },
        { """{"name": "LONGNAME", "config": {"topicIds": [TOPIC]}}""".Replace("LONGNAME", new string('x', 256), StringComparison.Ordinal), "name" },
        { """{"name": "a", "status": "archived", "config": {"topicIds": [TOPIC]}}""", "status" },
        { """{"name": "a"}""", "config" },
        { """{"name": "a", "config": {}}""", "config.topicIds" },
        { """{"name": "a", "config": {"topicIds": []}}""", "config.topicIds" },
        { """{"name": "a", "config": {"topicIds": [1,2,3,4,5,6,7,8,9,10,11]}}""", "config.topicIds" },
        { """{"name": "a", "config": {"topicIds": ["x"]}}""", "config.topicIds[0]" },
        { """{"name": "a", "config": {"topicIds": [2147483000]}}""", "config.topicIds" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "minScore": 0}}""", "config.minScore" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "minScore": 101}}""", "config.minScore" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "minScore": 80, "maxScore": 79}}""", "config.maxScore" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "maxScore": 101}}""", "config.maxScore" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "minTopicOverlap": 2}}""", "config.minTopicOverlap" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "minTopicOverlap": 0}}""", "config.minTopicOverlap" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "colour": "red"}}""", "config.colour" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "filters": {"company.size": {"values": ["x"]}}}}""", "config.filters.company.size" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "filters": {"role.isDecisionMaker": "yes"}}}""", "config.filters.role.isDecisionMaker" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "filters": {"role.seniority": "vp"}}}""", "config.filters.role.seniority" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "filters": {"role": {"seniority": [7]}}}}""", "config.filters.role.seniority.values[0]" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "filters": {"jobTitle.exact": {"values": ["cto"], "operator": "contains"}}}}""", "config.filters.jobTitle.exact.operator" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "sourceUrl": "javascript:alert(1)"}}""", "config.sourceUrl" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "filters": {"role.seniority": {"values": []}}}}""", "config.filters.role.seniority.values" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "filters": {"role.seniority": {"values": [1]}}}}""", "config.filters.role.seniority.values[0]" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "filters": {"role.seniority": {"values": ["vp"], "mode": "some"}}}}""", "config.filters.role.seniority.mode" },
        { """{"name": "a", "config": {"topicIds": [TOPIC], "filters": {"role.seniority": {"values": ["vp"], "weight": 2}}}}""", "config.filters.role.seniority.weight" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_audience_answers_400_naming_the_field_and_stores_nothing(string body, string field)
    {
        var (client, organizationId, _) = await api.CallerAsync();
        var topics = await api.TopicsAsync(1);

        var (response, error) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", body.Replace("TOPIC", topics[0].ToString(), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", error.ErrorCode());
        var fields = error.GetProperty("error").GetProperty("details").GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString());
        Assert.Contains(field, fields);
        await using var db = api.Database.CreateDbContext();
        Assert.False(db.Audiences.Any(a => a.OrganizationId == organizationId));
    }

    [Theory]
    [InlineData("{not json", HttpStatusCode.BadRequest)]
    [InlineData("""{"name": 5, "config": {"topicIds": [1]}}""", HttpStatusCode.BadRequest)]
    public async Task A_malformed_body_answers_400_not_500(string body, HttpStatusCode status)
    {
        var (client, _, _) = await api.CallerAsync();
        var (response, error) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", body);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", error.ErrorCode());
    }

    [Fact]
    public async Task A_body_that_is_not_json_answers_415()
    {
        var (client, _, _) = await api.CallerAsync();
        using var content = new StringContent("name=a", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await client.PostAsync(new Uri("/v1/intent/audiences", UriKind.Relative), content);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("UNSUPPORTED_MEDIA_TYPE", error.ErrorCode());
    }

    [Fact]
    public async Task Equivalent_configs_hash_alike_and_different_ones_do_not()
    {
        var (client, _, _) = await api.CallerAsync();
        var t = await api.TopicsAsync(3);

        async Task<string> HashOf(object config)
        {
            var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", new { config });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(body.Data().GetProperty("valid").GetBoolean(), body.ToString());
            return body.Data().GetProperty("configHash").GetString()!;
        }

        var baseline = await HashOf(new
        {
            topicIds = new[] { t[0], t[1] },
            filters = new Dictionary<string, object>
            {
                ["role.seniority"] = new { values = new[] { "vp", "director" }, mode = "any" },
                ["contact.hasBusinessEmail"] = true,
            },
        });
        var equivalent = await HashOf(new
        {
            filters = new Dictionary<string, object>
            {
                ["contact.hasBusinessEmail"] = true,
                ["role.seniority"] = new { values = new[] { " Director ", "VP", "vp" } },
            },
            minTopicOverlap = 1,
            maxScore = 100,
            minScore = 70,
            topicIds = new[] { t[1], t[0], t[1] },
        });
        Assert.Equal(baseline, equivalent);

        Assert.Equal(
            await HashOf(new { topicIds = new[] { t[0] }, filters = new Dictionary<string, object> { ["role.seniority"] = new { values = new[] { "vp" }, mode = "all" } } }),
            await HashOf(new { topicIds = new[] { t[0] }, filters = new Dictionary<string, object> { ["role.seniority"] = new { values = new[] { "vp" }, mode = "any" } } }));

        var different = new[]
        {
            await HashOf(new { topicIds = new[] { t[0], t[2] } }),
            await HashOf(new { topicIds = new[] { t[0], t[1] }, minScore = 71 }),
            await HashOf(new { topicIds = new[] { t[0], t[1] }, minTopicOverlap = 2 }),
            await HashOf(new { topicIds = new[] { t[0], t[1] }, filters = new Dictionary<string, object> { ["contact.hasBusinessEmail"] = false } }),
            await HashOf(new { topicIds = new[] { t[0], t[1] }, filters = new Dictionary<string, object> { ["role.seniority"] = new { values = new[] { "vp", "director" }, mode = "all" } } }),
        };
        Assert.Equal(different.Length + 1, different.Append(baseline).Distinct().Count());
    }

    [Fact]
    public async Task Validate_returns_the_normalized_config_or_the_errors()
    {
        var (client, _, _) = await api.CallerAsync();
        var t = await api.TopicsAsync(1);

        var (_, valid) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate",
            new { config = new { topicIds = new[] { t[0] }, filters = new Dictionary<string, object> { ["location.countries"] = new { values = new[] { "US", "de" } } } } });
        var normalized = valid.Data().GetProperty("normalizedConfig");
        Assert.Equal(["de", "us"], normalized.GetProperty("filters").GetProperty("location.countries").GetProperty("values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("any", normalized.GetProperty("filters").GetProperty("location.countries").GetProperty("mode").GetString());

        var (response, invalid) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", new { config = new { topicIds = new[] { t[0] }, minScore = 0 } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(invalid.Data().GetProperty("valid").GetBoolean());
        Assert.Equal("config.minScore", invalid.Data().GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Validate_takes_Orbit_s_body_and_ours_and_answers_the_applied_filters_and_strategy()
    {
        var (client, _, _) = await api.CallerAsync();
        var t = await api.TopicsAsync(2);
        var config = new Dictionary<string, object>
        {
            ["topicIds"] = new[] { t[1], t[0] },
            ["minScore"] = 80,
            ["sourceUrl"] = "https://example.com/crm",
            ["filters"] = new Dictionary<string, object>
            {
                ["role"] = new Dictionary<string, object> { ["seniority"] = new[] { "VP", "director" }, ["isDecisionMaker"] = true },
                ["role.department"] = new { values = new[] { "Sales" } },
            },
        };

        var (orbitResponse, orbit) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", config);
        var (oursResponse, ours) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", new { config });

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (orbitResponse.StatusCode, oursResponse.StatusCode));
        Assert.Equal(ours.Data().ToString(), orbit.Data().ToString());
        var data = orbit.Data();
        Assert.True(data.GetProperty("valid").GetBoolean(), data.ToString());
        Assert.Equal("day_partition_in_traits", data.GetProperty("strategy").GetString());
        Assert.Equal("https://example.com/crm", data.GetProperty("normalizedConfig").GetProperty("sourceUrl").GetString());
        Assert.Equal(["role.departments", "role.isDecisionMaker", "role.seniority"],
            data.GetProperty("normalizedConfig").GetProperty("filters").EnumerateObject().Select(f => f.Name));
        var applied = data.GetProperty("appliedFilters").EnumerateArray().ToList();
        Assert.Equal(["role.seniority", "role.departments", "role.isDecisionMaker"], applied.Select(a => a.GetProperty("key").GetString()));
        Assert.Equal(["director", "vp"], applied[0].GetProperty("values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(("role", "Seniority", "equals", "any", "Seniority: any of director, vp"),
            (applied[0].GetProperty("group").GetString(), applied[0].GetProperty("label").GetString(), applied[0].GetProperty("operator").GetString(),
             applied[0].GetProperty("mode").GetString(), applied[0].GetProperty("summary").GetString()));
        Assert.True(applied[2].GetProperty("value").GetBoolean());

        var (_, plain) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", new { topicIds = new[] { t[0] } });
        Assert.Equal("day_partition_in", plain.Data().GetProperty("strategy").GetString());
        Assert.Empty(plain.Data().GetProperty("appliedFilters").EnumerateArray());

        var (invalidResponse, invalid) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate",
            new { topicIds = new[] { t[0] }, minScore = 0, name = "x" });
        Assert.Equal(HttpStatusCode.OK, invalidResponse.StatusCode);
        Assert.False(invalid.Data().GetProperty("valid").GetBoolean());
        Assert.Equal(["name", "minScore"], invalid.Data().GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
        Assert.Equal(JsonValueKind.Null, invalid.Data().GetProperty("appliedFilters").ValueKind);

        var (arrayResponse, array) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", "[1]");
        Assert.Equal(HttpStatusCode.BadRequest, arrayResponse.StatusCode);
        Assert.Equal("VALIDATION_ERROR", array.ErrorCode());
    }

    [Fact]
    public async Task An_audience_is_read_changed_listed_and_deleted()
    {
        var (client, _, _) = await api.CallerAsync();
        var t = await api.TopicsAsync(2);
        var (_, created) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name = "first", config = new { topicIds = new[] { t[0] } } });
        var id = created.Data().GetProperty("id").GetGuid();
        var firstHash = created.Data().GetProperty("configHash").GetString();
        await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name = "second", status = "active", config = new { topicIds = new[] { t[1] } } });

        var (getResponse, fetched) = await client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{id}");
        Assert.Equal(HttpStatusCode.OK, getResponse.StatusCode);
        Assert.Equal("first", fetched.Data().GetProperty("name").GetString());

        var (patchResponse, patched) = await client.SendAsync(HttpMethod.Patch, $"/v1/intent/audiences/{id}",
            new { name = "renamed", status = "paused", config = new { topicIds = new[] { t[0], t[1] } } });
        Assert.Equal(HttpStatusCode.OK, patchResponse.StatusCode);
        Assert.Equal("renamed", patched.Data().GetProperty("name").GetString());
        Assert.Equal("paused", patched.Data().GetProperty("status").GetString());
        Assert.NotEqual(firstHash, patched.Data().GetProperty("configHash").GetString());
        Assert.True(patched.Data().GetProperty("updatedAt").GetDateTime() >= patched.Data().GetProperty("createdAt").GetDateTime());

        var (_, all) = await client.SendAsync(HttpMethod.Get, "/v1/intent/audiences");
        Assert.Equal(["second", "renamed"], all.Data().EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        var (_, active) = await client.SendAsync(HttpMethod.Get, "/v1/intent/audiences?status=active&limit=1");
        Assert.Equal("second", Assert.Single(active.Data().EnumerateArray()).GetProperty("name").GetString());

        var (deleteResponse, _) = await client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{id}");
        Assert.Equal(HttpStatusCode.OK, deleteResponse.StatusCode);
        var (gone, error) = await client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("NOT_FOUND", error.ErrorCode());
    }

    [Fact]
    public async Task Another_organizations_audience_is_not_found_and_untouched()
    {
        var (owner, _, _) = await api.CallerAsync();
        var (stranger, _, _) = await api.CallerAsync();
        var t = await api.TopicsAsync(1);
        var (_, created) = await owner.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name = "private", config = new { topicIds = t } });
        var id = created.Data().GetProperty("id").GetGuid();

        foreach (var (method, body) in new (HttpMethod, object?)[] { (HttpMethod.Get, null), (HttpMethod.Patch, new { name = "stolen" }), (HttpMethod.Delete, null) })
        {
            var (response, error) = await stranger.SendAsync(method, $"/v1/intent/audiences/{id}", body);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("NOT_FOUND", error.ErrorCode());
            Assert.DoesNotContain("private", error.ToString(), StringComparison.Ordinal);
        }

        var (_, list) = await stranger.SendAsync(HttpMethod.Get, "/v1/intent/audiences");
        Assert.Empty(list.Data().EnumerateArray());
        var (_, still) = await owner.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{id}");
        Assert.Equal("private", still.Data().GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("/v1/intent/audiences?limit=0")]
    [InlineData("/v1/intent/audiences?limit=101")]
    [InlineData("/v1/intent/audiences?status=gone")]
    public async Task Bad_list_parameters_answer_400(string path)
    {
        var (client, _, _) = await api.CallerAsync();
        var (response, error) = await client.SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", error.ErrorCode());
    }

    [Fact]
    public async Task A_non_uuid_id_is_not_found()
    {
        var (client, _, _) = await api.CallerAsync();
        var (response, error) = await client.SendAsync(HttpMethod.Get, "/v1/intent/audiences/not-a-uuid");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NOT_FOUND", error.ErrorCode());
    }
}
