using System.Net;
using System.Text.Json;
using Intent.Cli;
using Intent.Cli.Import;
using Intent.Pipeline.Audiences;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;

namespace Intent.Tests.Integration.Audiences;

/// <summary>
/// <c>GET /v1/intent/audiences/filters</c>: every filter of the one definition, by group, with value counts built when
/// people are loaded; the counts are checked against GROUP BY and FILTER counts written here straight on <c>people</c>.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class FilterCatalogTests(BuilderWorldFixture fixture) : IClassFixture<BuilderWorldFixture>
{
    // Each flag's meaning, written out independently of FilterSql and the catalog: people it selects as true, and as false.
    private static readonly Dictionary<string, (string True, string False)> Flags = new(StringComparer.Ordinal)
    {
        ["role.isDecisionMaker"] = ("is_decision_maker IS TRUE", "is_decision_maker IS FALSE"),
        ["role.isCeo"] = ("job_title ~* '\\m(ceo|chief executive)\\M'", "NOT coalesce(job_title ~* '\\m(ceo|chief executive)\\M', false)"),
        ["role.isVp"] = ("job_title ~* '\\m(vp|svp|evp|avp|vice[ -]president)\\M'", "NOT coalesce(job_title ~* '\\m(vp|svp|evp|avp|vice[ -]president)\\M', false)"),
        ["role.isFinance"] = ("department ~* '\\m(financ\\w*|accounting)\\M'", "NOT coalesce(department ~* '\\m(financ\\w*|accounting)\\M', false)"),
        ["contact.hasBusinessEmail"] = ("business_email IS NOT NULL", "business_email IS NULL"),
        ["contact.hasPersonalEmail"] = ("personal_email IS NOT NULL", "personal_email IS NULL"),
        ["contact.hasPhone"] = ("phone IS NOT NULL", "phone IS NULL"),
        ["contact.hasLinkedin"] = ("linkedin_url IS NOT NULL", "linkedin_url IS NULL"),
    };

    private RunsWorld World => fixture.World;

    [Fact]
    public async Task The_catalog_lists_every_filter_by_group_with_the_counts_a_group_by_on_people_gives()
    {
        var catalog = await CatalogAsync(World.Client);

        var groups = catalog.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(FilterCatalog.Groups.Select(g => g.Key), groups.Select(g => g.GetProperty("key").GetString()));
        var filters = groups.SelectMany(g => g.GetProperty("filters").EnumerateArray()).ToList();
        Assert.Equal(FilterCatalog.All.Select(f => f.Key), filters.Select(f => f.GetProperty("key").GetString()));

        var listedValues = 0;
        foreach (var filter in filters)
        {
            var key = filter.GetProperty("key").GetString()!;
            var definition = FilterCatalog.Filters[key];
            var column = filter.GetProperty("sourceColumn").GetString();
            Assert.Equal(definition.Column, column);
            Assert.Equal([definition.Operator], filter.GetProperty("operators").EnumerateArray().Select(o => o.GetString()));
            var ui = filter.GetProperty("ui");
            Assert.Equal((definition.Label, definition.Control), (ui.GetProperty("label").GetString(), ui.GetProperty("control").GetString()));

            var values = filter.TryGetProperty("values", out var listed) ? listed.EnumerateArray().ToList() : null;
            Dictionary<string, long> expected;
            if (definition.Kind == FilterKind.Boolean)
            {
                Assert.True(Flags.TryGetValue(key, out var meaning), $"the test has no independent meaning of the flag {key}");
                expected = new Dictionary<string, long>
                {
                    ["true"] = await World.Database.ScalarAsync<long>($"SELECT count(*) FILTER (WHERE {meaning.True}) FROM people"),
                    ["false"] = await World.Database.ScalarAsync<long>($"SELECT count(*) FILTER (WHERE {meaning.False}) FROM people"),
                };
                Assert.NotNull(values);
                Assert.Equal([true, false], values.Select(v => v.GetProperty("value").GetBoolean()));
                Assert.Equal(expected, values.ToDictionary(v => v.GetProperty("value").GetBoolean() ? "true" : "false", v => v.GetProperty("count").GetInt64()));
            }
            else if (definition.ListsValues)
            {
                var counted = await World.Database.ScalarAsync<string>($"""
                    SELECT string_agg(v || '=' || n, '|' ORDER BY n DESC, v) FROM (
                        SELECT lower({column}) AS v, count(*) AS n FROM people WHERE {column} IS NOT NULL GROUP BY lower({column})) g
                    """);
                Assert.NotNull(values);
                Assert.True(values.Count > 1, $"{key} lists its values");
                Assert.Equal(counted, string.Join('|', values.Select(v => $"{v.GetProperty("value").GetString()}={v.GetProperty("count").GetInt64()}")));
            }
            else
            {
                Assert.Null(values);
            }

            listedValues += values?.Count ?? 0;
        }

        var summary = catalog.GetProperty("summary");
        Assert.Equal(groups.Count, summary.GetProperty("groupCount").GetInt32());
        Assert.Equal(filters.Count, summary.GetProperty("filterCount").GetInt32());
        Assert.Equal(listedValues, summary.GetProperty("valueCount").GetInt32());
        Assert.Equal(filters.Count, new[] { "recommended", "standard", "advanced" }.Sum(s => summary.GetProperty($"{s}FilterCount").GetInt32()));
        Assert.Equal("and", summary.GetProperty("defaultFieldLogic").GetString());

        var version = catalog.GetProperty("version");
        Assert.Equal("catalog", version.GetProperty("status").GetString());
        Assert.Equal(FilterCatalogRefresh.CatalogVersion, version.GetProperty("catalogVersion").GetString());
        Assert.Equal(16, version.GetProperty("buildId").GetString()!.Length);
        Assert.Equal(await World.Database.ScalarAsync<long>("SELECT count(*) FROM people"), version.GetProperty("peopleCount").GetInt64());
    }

    [Fact]
    public async Task Every_filter_of_the_catalog_validates_compiles_and_narrows_a_preview_on_seeded_data()
    {
        var topics = new[] { 1, 2, 3, 4, 5, 6 };
        var (_, everyone) = await World.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/preview", new { topicIds = topics, minScore = 1 });
        var total = everyone.Data().GetProperty("totalCount").GetInt64();
        Assert.True(total > 1000, $"the unfiltered audience is large ({total})");

        var catalog = await CatalogAsync(World.Client);
        foreach (var filter in catalog.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("filters").EnumerateArray()))
        {
            var key = filter.GetProperty("key").GetString()!;
            object value = filter.GetProperty("type").GetString() switch
            {
                "boolean" => true,
                "multi_select" => new { values = new[] { filter.GetProperty("values")[0].GetProperty("value").GetString() } },
                _ => new
                {
                    values = new[]
                    {
                        await World.Database.ScalarAsync<string>($"""
                            SELECT lower({filter.GetProperty("sourceColumn").GetString()}) AS v FROM people
                            WHERE {filter.GetProperty("sourceColumn").GetString()} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
                            """),
                    },
                },
            };
            var config = new Dictionary<string, object> { ["topicIds"] = topics, ["minScore"] = 1, ["filters"] = new Dictionary<string, object> { [key] = value } };

            var (validated, validation) = await World.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/validate", config);
            Assert.Equal(HttpStatusCode.OK, validated.StatusCode);
            Assert.True(validation.Data().GetProperty("valid").GetBoolean(), $"{key}: {validation}");
            Assert.Equal(key, Assert.Single(validation.Data().GetProperty("appliedFilters").EnumerateArray()).GetProperty("key").GetString());

            var (previewed, preview) = await World.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences/preview", config);
            Assert.Equal(HttpStatusCode.OK, previewed.StatusCode);
            var count = preview.Data().GetProperty("totalCount").GetInt64();
            Assert.True(count > 0 && count < total, $"{key} = {JsonSerializer.Serialize(value)} narrows {total} people to {count}");
        }
    }

    [Fact]
    public async Task Without_a_build_the_catalog_is_the_static_fallback_and_seeding_or_importing_people_builds_it()
    {
        await using var world = await RunsWorld.CreateAsync(seeded: false, worker: false,
            apiSettings: new Dictionary<string, string?> { ["FilterCatalog:CacheTtl"] = "00:00:00" });
        var empty = await CatalogAsync(world.Client);
        Assert.Equal("static_fallback", empty.GetProperty("version").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("version").GetProperty("buildId").ValueKind);
        Assert.Equal(0, empty.GetProperty("summary").GetProperty("valueCount").GetInt32());
        Assert.Equal(FilterCatalog.All.Count, empty.GetProperty("summary").GetProperty("filterCount").GetInt32());

        Assert.Equal(0, await SeedCommand.RunAsync(world.Database.ConnectionString,
            ["--people", "800", "--topics", "10", "--days", "1", "--seed", "3", "--end-date", "2001-01-02"], TextWriter.Null, TextWriter.Null));
        var seeded = await CatalogAsync(world.Client);
        Assert.Equal("catalog", seeded.GetProperty("version").GetProperty("status").GetString());
        Assert.Equal(800, seeded.GetProperty("version").GetProperty("peopleCount").GetInt64());
        Assert.Null(Count(seeded, "company.industries", "alpaca farming"));

        var path = Path.Combine(Path.GetTempPath(), $"intent-catalog-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, """
            personId,hashedEmail,companyIndustry,phone
            900001,h900001,Alpaca Farming,+1 555 0100
            900002,h900002,alpaca farming ,
            """);
        try
        {
            Assert.Equal(0, await ImportCommand.RunAsync(world.Database.ConnectionString, ["people", path], TextWriter.Null, TextWriter.Null));
        }
        finally
        {
            File.Delete(path);
        }

        var imported = await CatalogAsync(world.Client);
        Assert.Equal(802, imported.GetProperty("version").GetProperty("peopleCount").GetInt64());
        Assert.Equal(2, Count(imported, "company.industries", "alpaca farming"));
        Assert.Equal(Count(seeded, "contact.hasPhone", true) + 1, Count(imported, "contact.hasPhone", true));
        Assert.NotEqual(Build(seeded), Build(imported));
        Assert.Equal(1L, await world.Database.ScalarAsync<long>("SELECT count(*) FROM filter_catalog_builds"));

        // A database loaded before the catalog existed is counted once by ./intent up's seed --if-empty; the same data gives the same build.
        await world.Database.ExecuteAsync("DELETE FROM filter_catalog_builds");
        Assert.Equal("static_fallback", (await CatalogAsync(world.Client)).GetProperty("version").GetProperty("status").GetString());
        Assert.Equal(0, await SeedCommand.RunAsync(world.Database.ConnectionString, ["--if-empty"], TextWriter.Null, TextWriter.Null));
        var rebuilt = await CatalogAsync(world.Client);
        Assert.Equal(Build(imported), Build(rebuilt));
        Assert.NotEqual(imported.GetProperty("version").GetProperty("generatedAt").GetDateTime(), rebuilt.GetProperty("version").GetProperty("generatedAt").GetDateTime());
    }

    [Fact]
    public async Task Each_API_process_reuses_the_catalog_it_read_for_the_cache_ttl()
    {
        var first = await CatalogAsync(World.Client);
        await World.Database.ExecuteAsync("DELETE FROM filter_catalog_builds");
        try
        {
            var cached = await CatalogAsync(World.Client);
            Assert.Equal("catalog", cached.GetProperty("version").GetProperty("status").GetString());
            Assert.Equal(Build(first), Build(cached));

            await Eventually.MatchAsync(async () => (await CatalogAsync(World.Client)).GetProperty("version").GetProperty("status").GetString(),
                status => status == "static_fallback", TimeSpan.FromSeconds(15), "the cached catalog to expire");
        }
        finally
        {
            await using var connection = new Npgsql.NpgsqlConnection(World.Database.ConnectionString);
            await connection.OpenAsync();
            await FilterCatalogRefresh.RefreshAsync(connection, null);
        }

        var rebuilt = await Eventually.MatchAsync(() => CatalogAsync(World.Client), c => c.GetProperty("version").GetProperty("status").GetString() == "catalog",
            TimeSpan.FromSeconds(15), "the rebuilt catalog");
        Assert.Equal(Build(first), Build(rebuilt));
    }

    private static async Task<JsonElement> CatalogAsync(HttpClient client)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Get, "/v1/intent/audiences/filters");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return body.Data();
    }

    private static string Build(JsonElement catalog) => catalog.GetProperty("version").GetProperty("buildId").GetString()!;

    private static long? Count(JsonElement catalog, string key, object value)
    {
        var filter = catalog.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("filters").EnumerateArray())
            .Single(f => f.GetProperty("key").GetString() == key);
        var text = JsonSerializer.Serialize(value);
        return filter.GetProperty("values").EnumerateArray().Where(v => v.GetProperty("value").GetRawText() == text)
            .Select(v => (long?)v.GetProperty("count").GetInt64()).SingleOrDefault();
    }
}
