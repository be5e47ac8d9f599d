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
/// The storage of snapshots changed twice: what filters and stats read and the members' key (migration
/// MaterializationFloor), then members stored in pages instead of one row each (migration SnapshotMemberPages). For
/// each change, on the same data, a run materialized the way it was before and then carried over by the migration,
/// and a run materialized afterwards, have the same results, stats and CSV.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class StorageChangeTests
{
    private const string BeforeMigration = "PipelineJobTypes";
    private const string BeforePages = "TopicDailyAggregates";
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
            Assert.Equal(beforeResults, string.Join(",", await ResultsAsync(database, key, 0, beforeCounts[1])));
            Assert.Equal(beforeCounts, await database.ScalarAsync<long[]>($"SELECT ARRAY[candidate_count, result_count] FROM audience_snapshots WHERE result_key = '{key}'"));
            Assert.Equal(Json(beforeStats), Json(await database.ScalarAsync<string>($"SELECT stats::text FROM audience_snapshots WHERE result_key = '{key}'")));
            Assert.Equal(Json(beforeStats), Json(await RefreshedStatsAsync(database, key)));
        }

        Assert.Equal(await CsvAsync(database, beforeKey), await CsvAsync(database, afterKey));
    }

    [Fact]
    public async Task A_run_stored_as_member_rows_and_carried_into_pages_and_one_materialized_into_pages_have_the_same_results_stats_and_csv()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using (var db = database.CreateDbContext())
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforePages);
        }

        var data = new SyntheticIntentData(new SeedOptions(People: 12_000, Topics: 20, Days: 1, Seed: 29, EndDate: Date));
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

        var config = Parse(PagesConfigJson);
        var before = await OrganizationAsync(database, "member rows");
        var beforeKey = ResultKeys.For(before, config.Hash(), Date);
        var beforeCounts = await MaterializeAsync(database, before, config, MemberRowsStatement);
        var beforeSnapshot = $"(SELECT id FROM audience_snapshots WHERE result_key = '{beforeKey}')";
        var beforeResults = await database.ScalarAsync<string[]>(
            $"SELECT array_agg(m.rank || '/' || p.hashed_email || '/' || m.intent_score || '/' || m.topic_overlap || '/' || m.matched_topic_ids::text ORDER BY m.rank) " +
            $"FROM audience_snapshot_members m JOIN people p USING (person_id) WHERE m.snapshot_id = {beforeSnapshot}");
        Assert.True(beforeResults.Length > 2 * SnapshotPages.Size, $"the audience should span several pages ({beforeResults.Length} people)");
        Assert.Equal(beforeCounts[1], beforeResults.Length);
        Assert.Contains(beforeResults, r => r.Split('/')[3] != "1");
        var beforeStats = await database.ScalarAsync<string>($"SELECT stats::text FROM audience_snapshots WHERE result_key = '{beforeKey}'");
        Assert.Equal(Json(beforeStats), Json(await RefreshedStatsAsync(database, beforeKey, OnMemberRows(SnapshotStatsSql.Refresh(), "(SELECT id FROM audience_snapshots WHERE result_key = @key)"))));
        var beforeCsv = await CopyCsvAsync(database, OnMemberRows(ExportCsv.CopyCommand(beforeKey, neutralizeFormulas: true), $"(SELECT s.id FROM audience_snapshots s WHERE s.result_key = '{beforeKey}')"));

        await using (var db = database.CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'audience_snapshot_members'"));
        Assert.Equal((beforeResults.Length + SnapshotPages.Size - 1) / SnapshotPages.Size,
            await database.ScalarAsync<long>($"SELECT count(*) FROM audience_snapshot_pages WHERE snapshot_id = {beforeSnapshot}"));
        var after = await OrganizationAsync(database, "pages");
        var afterKey = ResultKeys.For(after, config.Hash(), Date);
        Assert.Equal(beforeCounts, await MaterializeAsync(database, after, config, (c, key) => AudienceMaterializer.BuildStatement(c, key, Date)));

        foreach (var key in new[] { beforeKey, afterKey })
        {
            Assert.Equal(beforeResults, await ResultsAsync(database, key, 0, beforeResults.Length));
            foreach (var offset in new[] { 0, 1, SnapshotPages.Size - 50, SnapshotPages.Size, 2 * SnapshotPages.Size - 1, beforeResults.Length - 100 })
            {
                Assert.Equal(beforeResults.Skip(offset).Take(100), await ResultsAsync(database, key, offset, 100));
            }

            Assert.Equal(Json(beforeStats), Json(await database.ScalarAsync<string>($"SELECT stats::text FROM audience_snapshots WHERE result_key = '{key}'")));
            Assert.Equal(Json(beforeStats), Json(await RefreshedStatsAsync(database, key)));
            Assert.Equal(beforeCsv, await CsvAsync(database, key));
        }
    }

    private const string PagesConfigJson = """
        {"topicIds":[1,2,3,4,5,6,7,8,9,10],"minScore":10,"filters":{"contact.hasBusinessEmail":true}}
        """;

    // The materialization statement as it was before pages: one member row each, ranked as today, the traits probed per
    // candidate (their pages came later).
    private static (string Sql, List<NpgsqlParameter> Parameters) MemberRowsStatement(AudienceConfig config, string key)
    {
        var (paged, parameters) = AudienceMaterializer.AudienceSql(config, Date, matchedTopics: true, "filled");
        var audience = paged.Replace(
            AudienceMaterializer.TraitsJoin("m"), "CROSS JOIN LATERAL (SELECT * FROM people_traits p WHERE p.person_id = m.person_id OFFSET 0) p", StringComparison.Ordinal);
        Assert.NotEqual(paged, audience);
        parameters.Add(new NpgsqlParameter("key", NpgsqlTypes.NpgsqlDbType.Char) { Value = key });
        return ($"""
            WITH {audience},
            inserted AS (
                INSERT INTO audience_snapshot_members (snapshot_id, rank, person_id, intent_score, topic_overlap, matched_topic_ids)
                SELECT (SELECT id FROM audience_snapshots WHERE result_key = @key), row_number() OVER (ORDER BY {AudienceMaterializer.RankOrder("f")}),
                       f.person_id, f.intent_score, f.topic_overlap, f.matched_topic_ids
                FROM filtered f
            )
            UPDATE audience_snapshots
            SET candidate_count = (SELECT count(*) FROM matched),
                result_count = (SELECT count(*) FROM filtered),
                stats = {SnapshotStatsSql.GroupedDocument("filtered m", traits: "m")}
            WHERE result_key = @key
            """, parameters);
    }

    // A read of today's code with the member rows of the snapshot snapshotId in place of its pages.
    private static string OnMemberRows(string sql, string snapshotId)
    {
        var rows = sql.Replace(SnapshotPages.Members(snapshotId), $"(SELECT * FROM audience_snapshot_members WHERE snapshot_id = {snapshotId}) m", StringComparison.Ordinal);
        Assert.NotEqual(sql, rows);
        return rows;
    }

    private static async Task<long[]> MaterializeAsync(
        ScratchDatabase database, Guid organization, AudienceConfig config, Func<AudienceConfig, string, (string Sql, List<NpgsqlParameter> Parameters)> statement)
    {
        var key = ResultKeys.For(organization, config.Hash(), Date);
        var (sql, parameters) = statement(config, key);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var claim = new NpgsqlCommand(
                         $"""
                         INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
                         VALUES ('{key}', '{organization}', '{config.Hash()}', '{Date:yyyy-MM-dd}', 0, 0, now())
                         """, connection, transaction))
        {
            await claim.ExecuteNonQueryAsync();
        }

        await using (var build = new NpgsqlCommand(sql, connection, transaction))
        {
            build.Parameters.AddRange(parameters.ToArray());
            await build.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return await database.ScalarAsync<long[]>($"SELECT ARRAY[candidate_count, result_count] FROM audience_snapshots WHERE result_key = '{key}'");
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
    private static async Task<List<string>> ResultsAsync(ScratchDatabase database, string key, int offset, long count)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(RunResultsEndpoint.PageSql, connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("last", offset + count);
        await using var reader = await command.ExecuteReaderAsync();
        var hashedEmail = 3 + ResultFields.All.ToList().FindIndex(f => f.Name == "hashedEmail");
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var topics = string.Join(",", reader.GetFieldValue<int[]>(2).Select(t => t.ToString(CultureInfo.InvariantCulture)));
            rows.Add($"{offset + rows.Count + 1}/{reader.GetString(hashedEmail)}/{reader.GetInt16(0)}/{reader.GetInt16(1)}/{{{topics}}}");
        }

        return rows;
    }

    private static async Task<string> RefreshedStatsAsync(ScratchDatabase database, string key, string? sql = null)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql ?? SnapshotStatsSql.Refresh(), connection);
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

    // The CSV of a COPY command, written the way exports write it.
    private static async Task<string> CopyCsvAsync(ScratchDatabase database, string copyCommand)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        using var stream = new MemoryStream();
        using (var source = await connection.BeginTextExportAsync(copyCommand))
        {
            Assert.True((await ExportCsv.ToRfc4180Async(source, stream, CancellationToken.None)).RowCount > 0);
        }

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
