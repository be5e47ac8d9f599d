using Intent.Cli;
using Intent.Cli.Import;
using Intent.Data.Loading;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Intent.Tests.Integration.Catalog;

/// <summary>Every way a day arrives (seed, import, the migration for days loaded before it) leaves its topic aggregates equal to a GROUP BY over its scores.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class TopicAggregatesTests
{
    /// <summary>Rows of the aggregates and of the same figures computed from the scores that the other does not have; 0 when they agree.</summary>
    private const string DifferenceSql = """
        WITH expected AS (
            SELECT s.data_date, s.topic_id, count(*)::int AS audience, sum(s.score)::bigint AS score_sum,
                   (count(*) FILTER (WHERE s.score BETWEEN 70 AND 100))::int AS high,
                   (count(*) FILTER (WHERE s.score BETWEEN 50 AND 69))::int AS medium,
                   (count(*) FILTER (WHERE s.score BETWEEN 1 AND 49))::int AS low
            FROM intent_scores s JOIN data_dates d ON d.data_date = s.data_date
            GROUP BY s.data_date, s.topic_id
        ), actual AS (
            SELECT data_date, topic_id, unique_audience, score_sum, high_audience, medium_audience, low_audience FROM topic_daily_aggregates
        )
        SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM actual) missing)
             + (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM expected) extra)
        """;

    [Fact]
    public async Task An_imported_day_gets_its_aggregates_in_the_same_commit()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        Assert.Equal(0, (await ImportAsync(database, "topics", "topicId,topicName,type,industry,category\n1,CRM,b2b,Software,Sales\n2,ERP,b2b,Software,Ops\n3,Meal Kits,b2c,Consumer,Food\n")).Code);
        Assert.Equal(0, (await ImportAsync(database, "people", "personId,hashedEmail\n10,a\n11,b\n12,c\n13,d\n")).Code);

        Assert.Equal(0, (await ImportAsync(database, "scores", "personId,topicId,score\n10,1,70\n11,1,69\n12,1,50\n13,1,49\n10,2,100\n11,2,1\n", "--date", "2001-02-03")).Code);

        Assert.Equal(0L, await database.ScalarAsync<long>(DifferenceSql));
        Assert.Equal("4/238/1/2/1", await database.ScalarAsync<string>(
            "SELECT concat_ws('/', unique_audience, score_sum, high_audience, medium_audience, low_audience) FROM topic_daily_aggregates WHERE topic_id = 1"));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM topic_daily_aggregates WHERE data_date = '2001-02-03'"));

        // A refused file leaves no aggregates behind either.
        Assert.Equal(1, (await ImportAsync(database, "scores", "personId,topicId,score\n10,3,80\n99,3,80\n", "--date", "2001-02-04")).Code);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM topic_daily_aggregates WHERE data_date = '2001-02-04'"));
    }

    [Fact]
    public async Task Refreshing_a_day_again_replaces_its_aggregates_and_changes_nothing_more()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        Assert.Equal(0, await SeedCommand.RunAsync(database.ConnectionString,
            ["--people", "300", "--topics", "20", "--days", "2", "--seed", "3", "--end-date", "2001-01-02"], TextWriter.Null, TextWriter.Null));
        const string Fingerprint = "SELECT md5(string_agg(a::text, '|' ORDER BY data_date, topic_id)) FROM topic_daily_aggregates a";
        var before = await database.ScalarAsync<string>(Fingerprint);

        await RefreshAsync(database, new DateOnly(2001, 1, 2));
        await RefreshAsync(database, new DateOnly(2001, 1, 2));

        Assert.Equal(before, await database.ScalarAsync<string>(Fingerprint));
        await database.ExecuteAsync(
            """
            UPDATE intent_scores SET score = 101 - score WHERE data_date = '2001-01-02' AND person_id % 3 = 0;
            DELETE FROM intent_scores WHERE data_date = '2001-01-02' AND topic_id = (SELECT min(topic_id) FROM intent_scores WHERE data_date = '2001-01-02');
            """);
        Assert.NotEqual(0L, await database.ScalarAsync<long>(DifferenceSql));

        await RefreshAsync(database, new DateOnly(2001, 1, 2));

        Assert.Equal(0L, await database.ScalarAsync<long>(DifferenceSql));
    }

    [Fact]
    public async Task Seeding_writes_every_days_aggregates_and_replacing_the_data_replaces_them()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        Assert.Equal(0, await SeedCommand.RunAsync(database.ConnectionString,
            ["--people", "400", "--topics", "30", "--days", "3", "--seed", "5", "--end-date", "2001-01-03"], TextWriter.Null, TextWriter.Null));

        Assert.Equal(0L, await database.ScalarAsync<long>(DifferenceSql));
        Assert.Equal(3L, await database.ScalarAsync<long>("SELECT count(DISTINCT data_date) FROM topic_daily_aggregates"));

        Assert.Equal(0, await SeedCommand.RunAsync(database.ConnectionString,
            ["--people", "200", "--topics", "12", "--days", "2", "--seed", "6", "--end-date", "2001-05-02", "--replace"], TextWriter.Null, TextWriter.Null));

        Assert.Equal(0L, await database.ScalarAsync<long>(DifferenceSql));
        Assert.Equal("2001-05-01,2001-05-02", await database.ScalarAsync<string>("SELECT string_agg(DISTINCT data_date::text, ',') FROM topic_daily_aggregates"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM topic_daily_aggregates WHERE topic_id > 12"));
    }

    [Fact]
    public async Task Days_loaded_before_the_aggregates_existed_get_them_from_the_migration()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using (var db = database.CreateDbContext())
        {
            await db.GetService<IMigrator>().MigrateAsync("OutboxWakeUpAfterCommit");
        }

        await database.ExecuteAsync(
            """
            INSERT INTO topics (topic_id, topic_name, type, industry, category)
            SELECT id, 'Topic ' || id, CASE WHEN id % 3 = 0 THEN 'b2c' ELSE 'b2b' END, 'Software', 'Sales' FROM generate_series(1, 15) id;
            CREATE TABLE intent_scores_20010301 PARTITION OF intent_scores FOR VALUES IN ('2001-03-01');
            CREATE TABLE intent_scores_20010302 PARTITION OF intent_scores FOR VALUES IN ('2001-03-02');
            INSERT INTO intent_scores (data_date, person_id, topic_id, score)
            SELECT day, person, topic, 1 + (person * 7 + topic * 13 + extract(day FROM day)::int) % 100
            FROM generate_series(date '2001-03-01', date '2001-03-02', interval '1 day') day,
                 generate_series(1, 200) person, generate_series(1, 15) topic
            WHERE (person + topic) % 4 <> 0;
            INSERT INTO data_dates (data_date, complete, score_count, loaded_at) VALUES ('2001-03-01', true, 0, now()), ('2001-03-02', true, 0, now());
            """);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'topic_daily_aggregates'"));

        await using (var db = database.CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        Assert.Equal(0L, await database.ScalarAsync<long>(DifferenceSql));
        Assert.Equal(30L, await database.ScalarAsync<long>("SELECT count(*) FROM topic_daily_aggregates"));
    }

    private static async Task RefreshAsync(ScratchDatabase database, DateOnly date)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await TopicDailyAggregates.RefreshAsync(connection, date, transaction);
        await transaction.CommitAsync();
    }

    private static async Task<(int Code, string Output, string Errors)> ImportAsync(ScratchDatabase database, string kind, string csv, params string[] extra)
    {
        var path = Path.Combine(Path.GetTempPath(), $"intent-import-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, csv);
        try
        {
            using var output = new StringWriter();
            using var errors = new StringWriter();
            var code = await ImportCommand.RunAsync(database.ConnectionString, [kind, path, .. extra], output, errors);
            return (code, output.ToString(), errors.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
