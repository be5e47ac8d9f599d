using System.Text.Json;
using Intent.Cli.Import;
using Intent.Data.Loading;
using Intent.Pipeline.Runs;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// The candidate step reads only the day's partition, index-only through its covering index, with no heap
/// fetches: after a vacuum, and already right after the day is loaded by seed (COPY FREEZE) or import.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class CandidatePlanTests
{
    private static readonly DateOnly Date = DateOnly.Parse(RunsWorld.DataDate, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Candidates_of_a_seeded_day_are_read_from_its_partition_index_only_without_touching_the_heap(bool vacuumed)
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        if (vacuumed)
        {
            await world.Database.ExecuteAsync($"VACUUM (ANALYZE) {IntentDataLoader.PartitionName(Date)}");
        }

        await AssertIndexOnlyAsync(world.Database, [3, 7, 11]);
    }

    [Fact]
    public async Task Candidates_of_an_imported_day_are_read_index_only_without_touching_the_heap()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var people = Path.Combine(Path.GetTempPath(), $"intent-plan-people-{Guid.NewGuid():N}.csv");
        var topics = Path.Combine(Path.GetTempPath(), $"intent-plan-topics-{Guid.NewGuid():N}.csv");
        var scores = Path.Combine(Path.GetTempPath(), $"intent-plan-scores-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(topics, ["topicId,topicName,type,industry,category", .. Enumerable.Range(1, 50).Select(t => $"{t},T{t},b2b,I,C")]);
        await File.WriteAllLinesAsync(people, ["personId,hashedEmail", .. Enumerable.Range(1, 4000).Select(p => $"{p},h{p}")]);
        await File.WriteAllLinesAsync(scores,
            ["personId,topicId,score", .. Enumerable.Range(1, 4000).SelectMany(p => Enumerable.Range(0, 5).Select(i => $"{p},{1 + (p * 7 + i * 11) % 50},{1 + (p * 13 + i) % 100}"))]);
        try
        {
            Assert.Equal(0, await ImportCommand.RunAsync(database.ConnectionString, ["topics", topics], TextWriter.Null, TextWriter.Null));
            Assert.Equal(0, await ImportCommand.RunAsync(database.ConnectionString, ["people", people], TextWriter.Null, TextWriter.Null));
            Assert.Equal(0, await ImportCommand.RunAsync(database.ConnectionString, ["scores", scores, "--date", RunsWorld.DataDate], TextWriter.Null, TextWriter.Null));
        }
        finally
        {
            File.Delete(people);
            File.Delete(topics);
            File.Delete(scores);
        }

        await AssertIndexOnlyAsync(database, [3, 7]);
    }

    private static async Task AssertIndexOnlyAsync(ScratchDatabase database, int[] topics)
    {
        var partition = IntentDataLoader.PartitionName(Date);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var explain = new NpgsqlCommand($"EXPLAIN (ANALYZE, FORMAT JSON) {AudienceMaterializer.CandidatesSql(Date)}", connection);
        explain.Parameters.Add(new NpgsqlParameter("topics", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = topics });
        explain.Parameters.Add(new NpgsqlParameter("min", (short)50));
        explain.Parameters.Add(new NpgsqlParameter("max", (short)100));
        explain.Parameters.Add(new NpgsqlParameter("overlap", 1L));
        using var document = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        var nodes = Nodes(document.RootElement[0].GetProperty("Plan")).ToList();
        var types = string.Join(", ", nodes.Select(n => n.GetProperty("Node Type").GetString()));

        var scan = Assert.Single(nodes, n => n.TryGetProperty("Relation Name", out _));
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
