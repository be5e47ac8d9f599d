using System.Text.Json;
using Intent.Cli;
using Intent.Data.Runs;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Runs;
using Npgsql;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// What the materialization statement costs beyond its candidates: the traits are read from their pages, each page row
/// once (no probe of the traits key per candidate), and the members it writes are checked against their snapshot once
/// per statement, not once per member.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class MaterializationPlanTests
{
    private static readonly DateOnly Date = DateOnly.Parse(RunsWorld.DataDate, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Traits_are_read_once_per_page_of_people_and_members_are_checked_once_per_statement()
    {
        await using var run = await PlannedRunAsync(4000, 20, 31, """{"topicIds":[1,2,3,4],"minScore":30,"filters":{"contact.hasBusinessEmail":true}}""", verbose: false);
        var (connection, transaction, key, root) = (run.Connection, run.Transaction, run.Key, run.Plan);
        var nodes = Nodes(root.GetProperty("Plan")).ToList();

        var (candidates, results) = await CountsAsync(connection, transaction, key);
        Assert.True(results > 100 && results < candidates, $"the audience should be filtered, not trivial ({candidates} candidates, {results} results)");

        var traits = Assert.Single(nodes, n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "people_traits_pages");
        Assert.Equal(1L, traits.GetProperty("Actual Loops").GetInt64());
        Assert.Equal(await PagesAsync(connection, transaction), traits.GetProperty("Actual Rows").GetInt64());
        Assert.DoesNotContain(nodes, n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "people_traits");

        var triggers = root.GetProperty("Triggers").EnumerateArray().Where(t => t.GetProperty("Relation").GetString() == "audience_snapshot_pages").ToList();
        Assert.NotEmpty(triggers);
        Assert.All(triggers, t => Assert.True(t.GetProperty("Calls").GetInt64() == 1,
            $"{t.GetProperty("Trigger Name").GetString()} ran {t.GetProperty("Calls").GetInt64()} times for {results} members"));
    }

    [Fact]
    public async Task Topics_and_pages_are_aggregated_straight_from_sorts_in_their_order_and_match_ordered_aggregates()
    {
        await using var run = await PlannedRunAsync(6000, 12, 37, """{"topicIds":[1,2,3,4,5,6],"minScore":20,"filters":{"contact.hasBusinessEmail":true}}""", verbose: true);
        var (connection, transaction, key) = (run.Connection, run.Transaction, run.Key);
        var nodes = Nodes(run.Plan.GetProperty("Plan")).ToList();

        // The unordered aggregates rely on reading their groups' rows straight from a sort in the wanted order.
        var groupings = nodes.Where(n => n.GetProperty("Node Type").GetString() == "Aggregate" && n.GetProperty("Strategy").GetString() == "Sorted").ToList();
        var topics = Assert.Single(groupings, g => Keys(g, "Group Key").SequenceEqual(["s.person_id"]));
        Assert.Equal(["s.person_id", "s.score DESC", "s.topic_id"], Keys(Child(topics, "Sort"), "Sort Key"));
        var pages = Assert.Single(groupings, g => Keys(g, "Group Key") is [var snapshot, var page] && snapshot.EndsWith(".snapshot_id", StringComparison.Ordinal) && page.Contains("rank", StringComparison.Ordinal));
        var pageSort = Keys(Child(pages, "Sort"), "Sort Key");
        Assert.Equal(3, pageSort.Count);
        Assert.EndsWith(".rank", pageSort[2], StringComparison.Ordinal);

        var (candidates, results) = await CountsAsync(connection, transaction, key);
        Assert.True(results > 1000 && results < candidates, $"the audience should be filtered, not trivial ({candidates} candidates, {results} results)");
        await using var compare = new NpgsqlCommand(
            $"""
            WITH expected AS (
                SELECT row_number() OVER (ORDER BY c.intent_score DESC, c.topic_overlap DESC, c.person_id) AS rank, c.*
                FROM (SELECT s.person_id, max(s.score) AS intent_score, count(*) AS topic_overlap, array_agg(s.topic_id ORDER BY s.score DESC, s.topic_id) AS topics
                      FROM intent_scores s JOIN people p ON p.person_id = s.person_id
                      WHERE s.data_date = '{Date:yyyy-MM-dd}' AND s.topic_id = ANY('{"{1,2,3,4,5,6}"}') AND s.score >= 20 AND p.business_email IS NOT NULL
                      GROUP BY s.person_id) c
            ),
            stored AS (
                SELECT m.rank, m.person_id, m.intent_score, m.topic_overlap, m.matched_topic_ids AS topics
                FROM {SnapshotPages.Members($"(SELECT id FROM audience_snapshots WHERE result_key = '{key}')")}
            )
            SELECT (SELECT count(*) FROM expected), (SELECT count(*) FROM expected WHERE topic_overlap > 1),
                   (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM stored) d) + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM expected) d)
            """,
            connection, transaction);
        await using (var reader = await compare.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(results, reader.GetInt64(0));
            Assert.True(reader.GetInt64(1) > 100, $"only {reader.GetInt64(1)} people matched on more than one topic");
            Assert.Equal(0, reader.GetInt64(2));
        }

    }

    /// <summary>
    /// A seeded database and the materialization of <paramref name="config"/> run under <c>EXPLAIN ANALYZE</c> in a
    /// transaction that is rolled back when the result is disposed: its connection, transaction, result key and plan.
    /// </summary>
    private static async Task<PlannedRun> PlannedRunAsync(int people, int topics, int seed, string config, bool verbose)
    {
        var database = await ScratchDatabase.CreateAsync();
        Assert.Equal(0, await SeedCommand.RunAsync(database.ConnectionString,
            ["--people", $"{people}", "--topics", $"{topics}", "--days", "1", "--seed", $"{seed}", "--end-date", RunsWorld.DataDate], TextWriter.Null, TextWriter.Null));
        await database.ExecuteAsync("VACUUM (ANALYZE) people_traits");
        await database.ExecuteAsync("VACUUM (ANALYZE) people_traits_pages");
        using var json = JsonDocument.Parse(config);
        var parsed = AudienceConfigParser.Parse(json.RootElement).Config!;
        var key = new string('e', 64);
        var (statement, parameters) = AudienceMaterializer.BuildStatement(parsed, key, Date);

        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var claim = new NpgsqlCommand(
                         $"""
                         INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
                         VALUES ('{key}', gen_random_uuid(), '{parsed.Hash()}', '{Date:yyyy-MM-dd}', 0, 0, now())
                         """, connection, transaction))
        {
            await claim.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand($"EXPLAIN (ANALYZE, {(verbose ? "VERBOSE, " : "")}FORMAT JSON) {statement}", connection, transaction);
        explain.Parameters.AddRange(parameters.ToArray());
        using var document = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        return new PlannedRun(database, connection, transaction, key, document.RootElement[0].Clone());
    }

    private static List<string> Keys(JsonElement node, string property) =>
        node.TryGetProperty(property, out var keys) ? keys.EnumerateArray().Select(k => k.GetString()!).ToList() : [];

    private static JsonElement Child(JsonElement node, string type)
    {
        var child = Assert.Single(node.GetProperty("Plans").EnumerateArray());
        Assert.Equal(type, child.GetProperty("Node Type").GetString());
        return child;
    }

    private static async Task<(long Candidates, long Results)> CountsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT s.candidate_count, s.result_count, (SELECT count(*) FROM {SnapshotPages.Members("s.id")})
            FROM audience_snapshots s WHERE s.result_key = '{key}'
            """,
            connection, transaction);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(2));
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<long> PagesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM people_traits_pages", connection, transaction);
        return (long)(await command.ExecuteScalarAsync())!;
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

    private sealed record PlannedRun(ScratchDatabase Database, NpgsqlConnection Connection, NpgsqlTransaction Transaction, string Key, JsonElement Plan) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.RollbackAsync();
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
