using System.Net;
using System.Text.Json;
using Intent.Api.Runs;
using Intent.Data.Runs;
using Intent.Tests.Integration.Api;
using Npgsql;

namespace Intent.Tests.Integration.Runs;

[Collection(IntegrationGroup.Name)]
public sealed class RunResultsTests
{
    [Fact]
    public async Task Pages_at_any_offset_are_the_same_slices_of_the_ranked_results_and_past_the_end_are_empty()
    {
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1, 2, 3, 4 }, minScore = 1 });
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", run.GetProperty("status").GetString());
        var key = run.GetProperty("resultKey").GetString();

        // Every member in rank order, read from the table itself.
        var all = (await world.Database.ScalarAsync<string>($"""
            SELECT string_agg(p.hashed_email || '/' || m.intent_score || '/' || m.topic_overlap, ',' ORDER BY m.rank)
            FROM {SnapshotPages.Members()} JOIN audience_snapshots s ON s.id = m.snapshot_id JOIN people p ON p.person_id = m.person_id
            WHERE s.result_key = '{key}'
            """)).Split(',');
        var total = all.Length;
        Assert.True(total > 1000, "the audience should span several pages of the largest size");
        Assert.Equal(run.GetProperty("resultCount").GetInt64(), total);

        (int Offset, int Limit)[] pages =
        [
            (0, 100), (1, 37), (99, 100), (100, 100), (517, 1000), (total - 3, 100), (total - 1, 1), (total, 100), (total + 1, 5),
            (int.MaxValue, 1000),
        ];
        foreach (var (offset, limit) in pages)
        {
            var (response, body) = await world.Client.SendAsync(HttpMethod.Get,
                $"/v1/intent/audiences/{audience}/runs/{runId}/results?limit={limit}&offset={offset}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var data = body.Data();
            Assert.Equal(total, data.GetProperty("total").GetInt64());
            Assert.Equal(offset, data.GetProperty("offset").GetInt32());
            Assert.Equal(limit, data.GetProperty("limit").GetInt32());
            var expected = all.Skip(offset).Take(limit).ToList();
            Assert.True(expected.SequenceEqual(Rows(data)), $"page at offset {offset}, limit {limit}");
        }

        var walked = new List<string>();
        for (var offset = 0; offset <= total; offset += 1000)
        {
            var (_, body) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}/results?limit=1000&offset={offset}");
            walked.AddRange(Rows(body.Data()));
        }

        Assert.Equal(all, walked);
    }

    [Fact]
    public async Task A_page_reads_only_the_page_rows_holding_its_ranks_through_the_primary_key_at_any_depth()
    {
        // Sizes where reading past rows or sorting would show: 200,000 people, 40 snapshots of 20,000 members, 800 page rows.
        await using var world = await RunsWorld.CreateAsync(seeded: false, worker: false);
        const int People = 200_000;
        const int Members = 20_000;
        await world.Database.ExecuteAsync($"INSERT INTO people (person_id, hashed_email) SELECT g, md5(g::text) FROM generate_series(1, {People}) g");
        var keys = Enumerable.Range(0, 40).Select(i => $"{i:x2}{new string('a', 62)}").ToList();
        await world.Database.ExecuteAsync($"""
            INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
            SELECT k, '{world.OrganizationId}', '{new string('e', 64)}', '{RunsWorld.DataDate}', {Members}, {Members}, now()
            FROM unnest(ARRAY['{string.Join("', '", keys)}']) k;
            {SnapshotPages.Insert($"(SELECT s.id AS snapshot_id, g AS rank, 1 + (g * 7 + s.id * {Members}) % {People} AS person_id, " +
                                  $"(100 - g * 99 / {Members})::smallint AS intent_score, 1::smallint AS topic_overlap, ARRAY[1] AS matched_topic_ids " +
                                  $"FROM audience_snapshots s CROSS JOIN generate_series(1, {Members}) g)")};
            """);

        await world.Database.ExecuteAsync("ANALYZE audience_snapshot_pages; ANALYZE people");

        await using var connection = new NpgsqlConnection(world.Database.ConnectionString);
        await connection.OpenAsync();
        foreach (var offset in new[] { 0, 11_000, 11_950, Members - 100 })
        {
            // The statement as the endpoint sends it: the same text, the same parameter types.
            await using var explain = new NpgsqlCommand($"EXPLAIN (ANALYZE, FORMAT JSON) {RunResultsEndpoint.PageSql}", connection);
            explain.Parameters.AddWithValue("key", keys[1]);
            explain.Parameters.AddWithValue("offset", offset);
            explain.Parameters.AddWithValue("last", (long)offset + 100);
            AssertReadsOnePage((string)(await explain.ExecuteScalarAsync())!, offset);
        }

        // Hosts auto-prepare repeated statements, and PostgreSQL may then plan them once for any parameters.
        var prepared = RunResultsEndpoint.PageSql.Replace("@key", "$1", StringComparison.Ordinal)
            .Replace("@offset", "$2", StringComparison.Ordinal).Replace("@last", "$3", StringComparison.Ordinal);
        await using (var prepare = new NpgsqlCommand($"SET plan_cache_mode = force_generic_plan; PREPARE page (text, integer, bigint) AS {prepared}", connection))
        {
            await prepare.ExecuteNonQueryAsync();
        }

        foreach (var offset in new[] { 15_000, 15_950 })
        {
            await using var generic = new NpgsqlCommand($"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE page ('{keys[1]}', {offset}, {offset + 100})", connection);
            var plan = (string)(await generic.ExecuteScalarAsync())!;
            Assert.Contains("$2", plan, StringComparison.Ordinal);
            AssertReadsOnePage(plan, offset);
        }
    }

    private static IEnumerable<string> Rows(JsonElement data) =>
        data.GetProperty("results").EnumerateArray().Select(p =>
            $"{p.GetProperty("hashedEmail").GetString()}/{p.GetProperty("intent").GetProperty("score").GetInt32()}/{p.GetProperty("intent").GetProperty("topicOverlap").GetInt32()}");

    // The page of 100 after offset: one page row, or two where it straddles them; only those 100 members are sorted.
    private static void AssertReadsOnePage(string explained, int offset)
    {
        using var document = JsonDocument.Parse(explained);
        var nodes = Nodes(document.RootElement[0].GetProperty("Plan")).ToList();
        var types = string.Join(", ", nodes.Select(n => n.GetProperty("Node Type").GetString()));

        Assert.All(nodes.Where(n => n.GetProperty("Node Type").GetString()!.Contains("Sort", StringComparison.Ordinal)),
            sort => Assert.True(sort.GetProperty("Actual Rows").GetInt64() <= 100, $"{sort.GetProperty("Actual Rows").GetInt64()} rows sorted at offset {offset}"));
        var pages = Assert.Single(nodes, n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "audience_snapshot_pages");
        Assert.True(pages.GetProperty("Node Type").GetString() == "Index Scan", $"pages are read by {types} at offset {offset}");
        Assert.Equal("audience_snapshot_pages_pkey", pages.GetProperty("Index Name").GetString());
        var condition = pages.GetProperty("Index Cond").GetString()!;
        Assert.Contains("(snapshot_id = ", condition, StringComparison.Ordinal);
        Assert.Contains("(page >= ", condition, StringComparison.Ordinal);
        Assert.Contains("(page <= ", condition, StringComparison.Ordinal);
        var touched = offset / SnapshotPages.Size == (offset + 99) / SnapshotPages.Size ? 1 : 2;
        Assert.Equal(touched, pages.GetProperty("Actual Rows").GetInt64() * pages.GetProperty("Actual Loops").GetInt64());
        Assert.Equal(100, nodes[0].GetProperty("Actual Rows").GetInt64());
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return child;
            }
        }
    }
}
