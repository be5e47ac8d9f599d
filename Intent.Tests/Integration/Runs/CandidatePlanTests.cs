using System.Text.Json;
using Intent.Data.Loading;
using Intent.Pipeline.Runs;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Tests.Integration.Runs;

[Collection(IntegrationGroup.Name)]
public sealed class CandidatePlanTests
{
    [Fact]
    public async Task Candidates_are_read_from_the_days_partition_index_only_without_touching_the_heap()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var date = DateOnly.Parse(RunsWorld.DataDate, System.Globalization.CultureInfo.InvariantCulture);
        var partition = IntentDataLoader.PartitionName(date);
        await world.Database.ExecuteAsync($"VACUUM (ANALYZE) {partition}");

        await using var connection = new NpgsqlConnection(world.Database.ConnectionString);
        await connection.OpenAsync();
        await using var explain = new NpgsqlCommand($"EXPLAIN (ANALYZE, FORMAT JSON) {AudienceMaterializer.CandidatesSql(date)}", connection);
        explain.Parameters.Add(new NpgsqlParameter("topics", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = new[] { 3, 7, 11 } });
        explain.Parameters.Add(new NpgsqlParameter("min", (short)50));
        explain.Parameters.Add(new NpgsqlParameter("max", (short)100));
        explain.Parameters.Add(new NpgsqlParameter("overlap", 1L));
        using var document = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        var nodes = Nodes(document.RootElement[0].GetProperty("Plan")).ToList();
        var types = string.Join(", ", nodes.Select(n => n.GetProperty("Node Type").GetString()));

        var scans = nodes.Where(n => n.TryGetProperty("Relation Name", out _)).ToList();
        var scan = Assert.Single(scans);
        Assert.Equal(partition, scan.GetProperty("Relation Name").GetString());
        Assert.True(scan.GetProperty("Node Type").GetString() == "Index Only Scan", $"the candidates are read by {types}");
        Assert.Equal($"ix_{partition}_topic_score", scan.GetProperty("Index Name").GetString());
        Assert.True(scan.GetProperty("Actual Rows").GetInt64() > 0, "the plan should have read some scores");
        Assert.Equal(0L, scan.GetProperty("Heap Fetches").GetInt64());
        Assert.False(scan.TryGetProperty("Filter", out var filter), $"a heap filter is left: {filter}");
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
