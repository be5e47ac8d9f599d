using Intent.Cli;
using Intent.Cli.Import;
using Intent.Data.Runs;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Runs;
using Npgsql;

namespace Intent.Tests.Integration.Catalog;

/// <summary>
/// <c>people_traits</c> (what filters and fill-rate stats read) says exactly what <c>people</c> says, whichever
/// way people arrive or change: its expected content is derived here from <see cref="ResultFields"/> and
/// <see cref="FilterCatalog"/>, and the two are compared row by row. So are its pages (<c>people_traits_pages</c>), read as
/// runs and previews read them (<see cref="AudienceMaterializer.TraitsJoin"/>) for every person and the ids beside each.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class PeopleTraitsTests
{
    [Fact]
    public async Task The_narrow_table_equals_people_after_seed_import_update_delete_and_reseed()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        Assert.Equal(0, await SeedCommand.RunAsync(database.ConnectionString,
            ["--people", "2000", "--topics", "10", "--days", "1", "--seed", "5", "--end-date", "2001-01-02"], TextWriter.Null, TextWriter.Null));
        await AssertConsistentAsync(database, 2000);

        var path = Path.Combine(Path.GetTempPath(), $"intent-traits-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, """
            personId,hashedEmail,businessEmail,jobTitle,seniority,companyIndustry,country,isDecisionMaker
            900001,h900001,a@b.example,Chief Llama Officer,VP,Alpaca Farming,IS,true
            900002,h900002,,,,,,
            900003,h900003,,chief llama officer,vp,alpaca farming,is,false
            """);
        try
        {
            Assert.Equal(0, await ImportCommand.RunAsync(database.ConnectionString, ["people", path], TextWriter.Null, TextWriter.Null));
        }
        finally
        {
            File.Delete(path);
        }

        await AssertConsistentAsync(database, 2003);

        await database.ExecuteAsync("""
            UPDATE people SET job_title = 'Head of Nothing', business_email = NULL, is_decision_maker = NULL WHERE person_id % 7 = 0;
            UPDATE people SET country = NULL, company_domain = 'new-domain.example', phone = '+1 555' WHERE person_id % 11 = 0;
            UPDATE people SET person_id = person_id + 5000000 WHERE person_id % 13 = 0;
            DELETE FROM people WHERE person_id % 17 = 0;
            """);
        await AssertConsistentAsync(database, await database.ScalarAsync<long>("SELECT count(*) FROM people"));

        Assert.Equal(0, await SeedCommand.RunAsync(database.ConnectionString,
            ["--people", "500", "--topics", "10", "--days", "1", "--seed", "6", "--end-date", "2001-01-02", "--replace"], TextWriter.Null, TextWriter.Null));
        await AssertConsistentAsync(database, 500);
    }

    [Fact]
    public async Task Transactions_changing_people_of_one_page_at_once_take_turns_and_leave_the_page_saying_what_each_committed()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        Assert.Equal(0, await SeedCommand.RunAsync(database.ConnectionString,
            ["--people", "300", "--topics", "5", "--days", "1", "--seed", "7", "--end-date", "2001-01-02"], TextWriter.Null, TextWriter.Null));
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(DISTINCT person_id >> 10) FROM people WHERE person_id IN (1, 2, 3)"));

        // The first holds the page; two more wait for it together, then for each other: none may fail (no deadlock) or lose a change.
        var writers = new List<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var connection = new NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync();
                writers.Add((connection, await connection.BeginTransactionAsync()));
            }

            await using (var update = new NpgsqlCommand("UPDATE people SET job_title = 'Writer 1', country = NULL WHERE person_id = 1", writers[0].Connection, writers[0].Transaction))
            {
                Assert.Equal(1, await update.ExecuteNonQueryAsync());
            }

            var waiting = writers.Skip(1).Select(async (w, i) =>
            {
                await using var update = new NpgsqlCommand($"UPDATE people SET job_title = 'Writer {i + 2}', business_email = NULL WHERE person_id = {i + 2}", w.Connection, w.Transaction);
                var changed = await update.ExecuteNonQueryAsync();
                await w.Transaction.CommitAsync();
                return changed;
            }).ToList();

            var pids = string.Join(", ", writers.Skip(1).Select(w => w.Connection.ProcessID));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await database.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE pid IN ({pids}) AND wait_event_type = 'Lock'") < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the two later writers never both waited for the page");
                await Task.Delay(20);
            }

            await writers[0].Transaction.CommitAsync();
            var changed = await Task.WhenAll(waiting);
            Assert.Equal([1, 1], changed);
        }
        finally
        {
            foreach (var (connection, transaction) in writers)
            {
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
            }
        }

        await AssertConsistentAsync(database, 300);
        Assert.Equal(3L, await database.ScalarAsync<long>(
            $"""
            SELECT count(*) FROM (VALUES (1::bigint), (2), (3)) c (person_id) {AudienceMaterializer.TraitsJoin("c")}
            WHERE p.job_title IN (SELECT v.code FROM person_values v WHERE v.attribute = 'job_title' AND v.value IN ('Writer 1', 'Writer 2', 'Writer 3'))
            """));
    }

    private static async Task AssertConsistentAsync(ScratchDatabase database, long people)
    {
        var coded = FilterCatalog.Filters.Values.Where(f => f.Match is FilterMatch.Equals or FilterMatch.Contains or FilterMatch.Excludes)
            .Select(f => f.Column).Distinct().Order(StringComparer.Ordinal).ToList();
        var flags = FilterCatalog.Filters.Values.Where(f => f.Match == FilterMatch.IsTrue).Select(f => f.Column).Distinct().Order(StringComparer.Ordinal).ToList();
        var bits = string.Join(" | ", ResultFields.All.Select((f, i) => $"CASE WHEN p.{f.Column} IS NULL THEN 0 ELSE {1 << i} END"));
        var expected = $"SELECT p.person_id, {bits}{string.Concat(coded.Concat(flags).Select(c => $", p.{c}"))} FROM people p";
        var actual = $"SELECT t.person_id, t.filled" +
                     string.Concat(coded.Select(c => $", (SELECT v.value FROM person_values v WHERE v.code = t.{c} AND v.attribute = '{c}')")) +
                     string.Concat(flags.Select(c => $", t.{c}")) + " FROM people_traits t";

        Assert.Equal(people, await database.ScalarAsync<long>("SELECT count(*) FROM people"));
        Assert.Equal(people, await database.ScalarAsync<long>("SELECT count(*) FROM people_traits"));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM (({expected}) EXCEPT ALL ({actual})) d"));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM (({actual}) EXCEPT ALL ({expected})) d"));

        // Read through the pages as a run reads them: ids next to each person (gaps, page edges, no person) must find nothing.
        var columns = string.Concat(coded.Concat(flags).Select(c => $", p.{c}"));
        var traits = $"SELECT p.person_id, p.filled{columns} FROM people_traits p";
        var paged = $"""
            SELECT p.person_id, p.filled{columns}
            FROM (SELECT DISTINCT t.person_id + d.step AS person_id FROM people_traits t CROSS JOIN (VALUES (-1024), (-1), (0), (1), (1024)) d (step)) c
                {AudienceMaterializer.TraitsJoin("c")}
            """;
        Assert.Equal(people, await database.ScalarAsync<long>($"SELECT count(*) FROM ({paged}) d"));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM (({traits}) EXCEPT ALL ({paged})) d"));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM (({paged}) EXCEPT ALL ({traits})) d"));
        Assert.Equal(0L, await database.ScalarAsync<long>("""
            SELECT count(*) FROM people_traits_pages g
            WHERE g.filled[1] < 0 OR g.filled[cardinality(g.filled)] < 0
               OR NOT EXISTS (SELECT 1 FROM people_traits t WHERE t.person_id = (g.page << 10) + g.first_slot)
            """));
        Assert.Equal(await database.ScalarAsync<long>("SELECT count(DISTINCT t.person_id >> 10) FROM people_traits t"),
            await database.ScalarAsync<long>("SELECT count(*) FROM people_traits_pages"));
    }
}
