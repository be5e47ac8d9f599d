using System.Globalization;
using System.Text.Json;
using Intent.Api.Runs;
using Intent.Data.Loading;
using Intent.Data.Organizations;
using Intent.Data.Runs;
using Intent.Data.Seeding;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Exports;
using Intent.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// The storage of snapshots and of what filters and stats read changed (migration MaterializationFloor). On the
/// same data, a run materialized the way it was before (key-carrying members, filters and stats on the wide
/// people rows) and then carried over by the migration, and a run materialized afterwards, have the same
/// results, stats and CSV.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class StorageChangeTests
{
    private const string BeforeMigration = "PipelineJobTypes";
    private static readonly DateOnly Date = new(2001, 1, 2);

    private const string ConfigJson = """
        {"topicIds":[1,2,3,4,5,6,7,8],"minScore":20,"filters":{"role.seniority":{"values":["VP","director"]},"contact.hasBusinessEmail":true,
         "jobTitle.include":{"values":["of"]},"jobTitle.exclude":{"values":["sales"]}}}
        """;

    // The filters above as the statement before the change wrote them, on people p.
    private const string FiltersBefore =
        "(p.business_email IS NOT NULL) = true AND lower(p.job_title) LIKE ANY(ARRAY['%of%']) " +
        "AND NOT coalesce(lower(p.job_title) LIKE ANY(ARRAY['%sales%']), false) AND lower(p.seniority) = ANY(ARRAY['director', 'vp'])";

    [Fact]
    public async Task A_run_stored_before_the_change_and_one_materialized_after_it_have_the_same_results_stats_and_csv()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using (var db = database.CreateDbContext())
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeMigration);
        }

        // What ./intent seed loads, loaded without what this old schema lacks (the filter catalog, the topic aggregates).
        var data = new SyntheticIntentData(new SeedOptions(People: 3000, Topics: 20, Days: 1, Seed: 23, EndDate: Date));
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var loader = new IntentDataLoader(connection) { RefreshTopicAggregates = false };
            await loader.CopyTopicsAsync(data.Topics());
            await loader.CopyPeopleAsync(data.People());
            await loader.LoadScoresAsync(Date, data.Scores(Date), transaction);
            await transaction.CommitAsync();
        }

        var config = Parse(ConfigJson);
        var before = await OrganizationAsync(database, "before");
        var beforeKey = ResultKeys.For(before, config.Hash(), Date);
        await database.ExecuteAsync(StatementBefore(config, before, beforeKey));
        var beforeResults = await database.ScalarAsync<string>(
            $"SELECT string_agg(m.rank || '/' || p.hashed_email || '/' || m.intent_score || '/' || m.topic_overlap || '/' || m.matched_topic_ids::text, ',' ORDER BY m.rank) " +
            $"FROM audience_snapshot_members m JOIN people p USING (person_id) WHERE m.result_key = '{beforeKey}'");
        var beforeStats = await database.ScalarAsync<string>($"SELECT stats::text FROM audience_snapshots WHERE result_key = '{beforeKey}'");
        var beforeCounts = await database.ScalarAsync<long[]>($"SELECT ARRAY[candidate_count, result_count] FROM audience_snapshots WHERE result_key = '{beforeKey}'");
        Assert.True(beforeCounts[1] > 50, $"the audience should not be trivial ({beforeCounts[1]} people)");

        await using (var db = database.CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        var after = await OrganizationAsync(database, "after");
        var afterKey = ResultKeys.For(after, config.Hash(), Date);
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var run = new AudienceRun { OrganizationId = after, ConfigHash = config.Hash(), Config = config.ToJson(), DataDate = Date };
            var result = await new AudienceMaterializer(connection, transaction).MaterializeAsync(run, Date, CancellationToken.None);
            await transaction.CommitAsync();
            Assert.False(result.Reused);
            Assert.Equal(beforeCounts, new[] { result.CandidateCount, result.ResultCount });
        }

        foreach (var key in new[] { beforeKey, afterKey })
        {
            Assert.Equal(beforeResults, await ResultsAsync(database, key, beforeCounts[1]));
            Assert.Equal(beforeCounts, await database.ScalarAsync<long[]>($"SELECT ARRAY[candidate_count, result_count] FROM audience_snapshots WHERE result_key = '{key}'"));
            Assert.Equal(Json(beforeStats), Json(await database.ScalarAsync<string>($"SELECT stats::text FROM audience_snapshots WHERE result_key = '{key}'")));
            Assert.Equal(Json(beforeStats), Json(await RefreshedStatsAsync(database, key)));
        }

        Assert.Equal(await CsvAsync(database, beforeKey), await CsvAsync(database, afterKey));
    }

    private static string StatementBefore(AudienceConfig config, Guid organization, string key)
    {
        var stats = SnapshotStatsSql.Document("inserted m JOIN people p ON p.person_id = m.person_id");
        for (var i = 0; i < ResultFields.All.Count; i++)
        {
            stats = stats.Replace($"count(*) FILTER (WHERE {ResultFields.Filled("p", ResultFields.All[i].Column)})", $"count(p.{ResultFields.All[i].Column})",
                StringComparison.Ordinal);
        }

        Assert.DoesNotContain("filled", stats, StringComparison.Ordinal);
        return $"""
            INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
            VALUES ('{key}', '{organization}', '{config.Hash()}', '{Date:yyyy-MM-dd}', 0, 0, now());
            WITH matched AS (
                SELECT s.person_id, max(s.score) AS intent_score, count(*) AS topic_overlap,
                       array_agg(s.topic_id ORDER BY s.score DESC, s.topic_id) AS matched_topic_ids
                FROM intent_scores s
                WHERE s.data_date = '{Date:yyyy-MM-dd}' AND s.topic_id = ANY(ARRAY[{string.Join(", ", config.TopicIds)}])
                  AND s.score BETWEEN {config.MinScore} AND {config.MaxScore}
                GROUP BY s.person_id
                HAVING count(*) >= {config.MinTopicOverlap}
            ),
            inserted AS (
                INSERT INTO audience_snapshot_members (result_key, rank, person_id, intent_score, topic_overlap, matched_topic_ids)
                SELECT '{key}', row_number() OVER (ORDER BY m.intent_score DESC, m.topic_overlap DESC, m.person_id),
                       m.person_id, m.intent_score, m.topic_overlap, m.matched_topic_ids
                FROM matched m JOIN people p ON p.person_id = m.person_id
                WHERE {FiltersBefore}
                RETURNING person_id, intent_score, topic_overlap
            )
            UPDATE audience_snapshots
            SET candidate_count = (SELECT count(*) FROM matched), result_count = (SELECT count(*) FROM inserted), stats = {stats}
            WHERE result_key = '{key}';
            """;
    }

    // The results as the endpoint reads them, in one page.
    private static async Task<string> ResultsAsync(ScratchDatabase database, string key, long count)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(RunResultsEndpoint.PageSql, connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("offset", 0);
        command.Parameters.AddWithValue("last", count);
        await using var reader = await command.ExecuteReaderAsync();
        var hashedEmail = 3 + ResultFields.All.ToList().FindIndex(f => f.Name == "hashedEmail");
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var topics = string.Join(",", reader.GetFieldValue<int[]>(2).Select(t => t.ToString(CultureInfo.InvariantCulture)));
            rows.Add($"{rows.Count + 1}/{reader.GetString(hashedEmail)}/{reader.GetInt16(0)}/{reader.GetInt16(1)}/{{{topics}}}");
        }

        return string.Join(",", rows);
    }

    private static async Task<string> RefreshedStatsAsync(ScratchDatabase database, string key)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(SnapshotStatsSql.Refresh(), connection);
        command.Parameters.Add(new NpgsqlParameter("key", NpgsqlTypes.NpgsqlDbType.Char) { Value = key });
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> CsvAsync(ScratchDatabase database, string key)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        using var stream = new MemoryStream();
        var written = await ExportCsv.CopyAsync(connection, key, neutralizeFormulas: true, stream, CancellationToken.None);
        Assert.True(written.RowCount > 0);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task<Guid> OrganizationAsync(ScratchDatabase database, string name)
    {
        await using var db = database.CreateDbContext();
        var organization = new Organization { Id = Guid.NewGuid(), Name = name, CreatedAt = DateTime.UtcNow };
        db.Organizations.Add(organization);
        await db.SaveChangesAsync();
        return organization.Id;
    }

    private static string Json(string text) => JsonSerializer.Serialize(JsonDocument.Parse(text).RootElement);

    private static AudienceConfig Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (config, errors) = AudienceConfigParser.Parse(document.RootElement);
        Assert.Empty(errors);
        return config!;
    }
}
