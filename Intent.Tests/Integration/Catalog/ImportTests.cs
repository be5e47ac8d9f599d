using Intent.Cli.Import;

namespace Intent.Tests.Integration.Catalog;

[Collection(IntegrationGroup.Name)]
public sealed class ImportTests
{
    [Fact]
    public async Task A_valid_topics_file_is_loaded_with_quoted_fields_intact()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var (code, _, errors) = await ImportAsync(database, "topics", """"
            topicId,topicName,type,industry,category
            1,"CRM, for ""Enterprise""",b2b,Software,Sales
            2,Meal Kits,B2C,Consumer,Food
            """");

        Assert.Equal(0, code);
        Assert.Equal("", errors);
        Assert.Equal("CRM, for \"Enterprise\"", await database.ScalarAsync<string>("SELECT topic_name FROM topics WHERE topic_id = 1"));
        Assert.Equal("b2c", await database.ScalarAsync<string>("SELECT type FROM topics WHERE topic_id = 2"));
    }

    [Fact]
    public async Task A_topics_file_with_bad_rows_reports_them_by_line_and_loads_nothing()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var (code, _, errors) = await ImportAsync(database, "topics", """
            topicId,topicName,type,industry,category
            1,CRM,b2b,Software,Sales
            2,Payroll,b2x,Software,HR
            x,Meal Kits,b2c,Consumer,
            """);

        Assert.Equal(1, code);
        Assert.Contains("line 3: type must be one of b2b, b2c", errors, StringComparison.Ordinal);
        Assert.Contains("line 4: topicId must be a whole number", errors, StringComparison.Ordinal);
        Assert.Contains("line 4: category is required", errors, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", errors, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM topics"));
    }

    [Fact]
    public async Task Duplicates_and_unknown_references_are_found_in_the_database_and_nothing_is_loaded()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        Assert.Equal(0, (await ImportAsync(database, "topics", "topicId,topicName,type,industry,category\n1,CRM,b2b,Software,Sales\n")).Code);
        Assert.Equal(0, (await ImportAsync(database, "people", "personId,hashedEmail,firstName,isDecisionMaker\n10,abc,Ann,true\n11,def,,\n")).Code);

        var (code, _, errors) = await ImportAsync(database, "scores", """
            personId,topicId,score
            10,1,80
            11,1,101
            12,1,50
            10,1,60
            11,9,40
            """, "--date", "2001-02-03");

        Assert.Equal(1, code);
        Assert.Contains("line 3: score must be a whole number from 1 to 100", errors, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM data_dates"));

        (code, _, errors) = await ImportAsync(database, "scores", """
            personId,topicId,score
            10,1,80
            12,1,50
            10,1,60
            11,9,40
            """, "--date", "2001-02-03");

        Assert.Equal(1, code);
        Assert.Contains("line 2: personId 10 and topicId 1 appear more than once", errors, StringComparison.Ordinal);
        Assert.Contains("line 3: personId 12 is not a known person", errors, StringComparison.Ordinal);
        Assert.Contains("line 5: topicId 9 is not a known topic", errors, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM data_dates"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'intent_scores_20010203'"));
    }

    [Fact]
    public async Task A_valid_scores_file_becomes_a_complete_day()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await ImportAsync(database, "topics", "topicId,topicName,type,industry,category\n1,CRM,b2b,Software,Sales\n2,ERP,b2b,Software,Ops\n");
        await ImportAsync(database, "people", "personId,hashedEmail\n10,abc\n11,def\n");

        var (code, output, _) = await ImportAsync(database, "scores", "personId,topicId,score\n10,1,80\n10,2,75\n11,1,12\n", "--date", "2001-02-03");

        Assert.Equal(0, code);
        Assert.Contains("imported 3 scores", output, StringComparison.Ordinal);
        Assert.Equal(3L, await database.ScalarAsync<long>("SELECT score_count FROM data_dates WHERE data_date = '2001-02-03' AND complete"));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM intent_scores WHERE data_date = '2001-02-03' AND score >= 70"));

        var (again, _, errors) = await ImportAsync(database, "scores", "personId,topicId,score\n11,2,90\n", "--date", "2001-02-03");
        Assert.Equal(1, again);
        Assert.Contains("already loaded", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Line_numbers_count_blank_lines_and_line_breaks_inside_quotes_and_a_byte_order_mark_is_not_part_of_the_header()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var (code, _, errors) = await ImportAsync(database, "topics",
            "\uFEFFtopicId,topicName,type,industry,category\n1,\"CRM\nSuite\",b2b,Software,Sales\n\n2,Payroll,b2x,Software,HR\n3,ERP\n");

        Assert.Equal(1, code);
        Assert.DoesNotContain("column", errors, StringComparison.Ordinal);
        Assert.Contains("line 5: type must be one of b2b, b2c", errors, StringComparison.Ordinal);
        Assert.Contains("line 6: has 2 fields where the header has 5", errors, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM topics"));
    }

    [Fact]
    public async Task A_quote_that_is_never_closed_is_reported_by_line_and_nothing_is_loaded()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var (code, _, errors) = await ImportAsync(database, "topics",
            "topicId,topicName,type,industry,category\n1,CRM,b2b,Software,Sales\n2,\"Payroll,b2b,Software,HR\n3,ERP,b2b,Software,Ops\n");

        Assert.Equal(1, code);
        Assert.Contains("line 3: a quoted field is not closed", errors, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", errors, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM topics"));
    }

    [Fact]
    public async Task A_date_is_required_for_scores_and_refused_for_other_kinds_before_anything_is_read()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        const string topics = "topicId,topicName,type,industry,category\n1,CRM,b2b,Software,Sales\n";

        var (code, _, errors) = await ImportAsync(database, "topics", topics, "--date", "2001-02-03");
        Assert.Equal(2, code);
        Assert.Contains("--date is only for scores", errors, StringComparison.Ordinal);

        (code, _, errors) = await ImportAsync(database, "scores", "personId,topicId,score\n10,1,80\n");
        Assert.Equal(2, code);
        Assert.Contains("scores need --date", errors, StringComparison.Ordinal);

        (code, _, errors) = await ImportAsync(database, "scores", "personId,topicId,score\n10,1,80\n", "--date", "3 February 2001");
        Assert.Equal(2, code);
        Assert.Contains("--date must be a date as YYYY-MM-DD", errors, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM topics"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM data_dates"));
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
