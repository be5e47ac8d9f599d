using Intent.Pipeline.Runs;
using Npgsql;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// The run's leading rank key (<see cref="AudienceMaterializer.RankKey"/>), evaluated by PostgreSQL: it never orders two
/// people against <see cref="AudienceMaterializer.RankOrder"/>, out-of-range overlaps and person ids included, and it alone
/// tells apart every person of an ordinary audience.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class RankKeyTests(IntentDatabaseFixture fixture)
{
    [Fact]
    public async Task The_rank_key_agrees_with_the_rank_order_and_is_unique_for_ordinary_people()
    {
        var people = $"""
            (SELECT s.intent_score, o.topic_overlap, p.person_id
             FROM unnest('{"{1,2,49,50,99,100}"}'::smallint[]) AS s (intent_score)
                 CROSS JOIN unnest('{"{1,2,9,10,14,15,16,17,40}"}'::bigint[]) AS o (topic_overlap)
                 CROSS JOIN unnest('{"{-7,0,1,2,3,1000,4503599627370493,4503599627370494,4503599627370495,4503599627370496,4611686018427387904,9223372036854775807}"}'::bigint[]) AS p (person_id)) f
            """;
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT count(*), count(*) FILTER (WHERE r.key < r.previous),
                   count(*) FILTER (WHERE r.ordinary), count(DISTINCT r.key) FILTER (WHERE r.ordinary)
            FROM (SELECT {AudienceMaterializer.RankKey("f")} AS key,
                         lag({AudienceMaterializer.RankKey("f")}) OVER (ORDER BY {AudienceMaterializer.RankOrder("f")}) AS previous,
                         f.topic_overlap <= 15 AND f.person_id BETWEEN 1 AND 4503599627370494 AS ordinary
                  FROM {people}) r
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        Assert.Equal(6 * 9 * 12, reader.GetInt64(0));
        Assert.Equal(0, reader.GetInt64(1));
        Assert.Equal(6 * 6 * 6, reader.GetInt64(2));
        Assert.Equal(reader.GetInt64(2), reader.GetInt64(3));
    }
}
