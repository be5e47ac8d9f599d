using System.Security.Cryptography;
using System.Text;
using Intent.Cli;
using Intent.Data.Seeding;

namespace Intent.Tests.Integration.Catalog;

[Collection(IntegrationGroup.Name)]
public sealed class SeedTests
{
    private static readonly SeedOptions Small = new(People: 400, Topics: 60, Days: 2, Seed: 7, EndDate: new DateOnly(2001, 1, 2));

    [Fact]
    public void The_same_seed_generates_the_same_rows_and_another_seed_does_not()
    {
        Assert.Equal(Fingerprint(Small), Fingerprint(Small));
        Assert.NotEqual(Fingerprint(Small), Fingerprint(Small with { Seed = 8 }));
    }

    [Fact]
    public void The_synthetic_data_is_skewed_and_has_missing_fields()
    {
        var data = new SyntheticIntentData(Small with { People = 3000 });
        var scores = data.Scores(Small.LastDate).ToList();
        var byTopic = scores.GroupBy(s => s.TopicId).Select(g => g.Count()).OrderDescending().ToList();
        var people = data.People().ToList();

        Assert.True(byTopic[0] > 5 * byTopic[byTopic.Count / 2], "the most popular topic should dwarf the median one");
        Assert.InRange(scores.Average(s => s.Score), 20, 60);
        Assert.Contains(scores, s => s.Score >= 90);
        Assert.InRange(people.Count(p => p.BusinessEmail is null) / (double)people.Count, 0.1, 0.5);
        Assert.InRange(people.Count(p => p.Phone is null) / (double)people.Count, 0.4, 0.9);
        Assert.Equal(people.Count, people.Select(p => p.HashedEmail).Distinct().Count());
    }

    [Fact]
    public async Task Seeding_loads_every_generated_row_once_and_refuses_to_load_twice()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        string[] args = ["--people", "400", "--topics", "60", "--days", "2", "--seed", "7", "--end-date", "2001-01-02"];

        Assert.Equal(0, await SeedCommand.RunAsync(database.ConnectionString, args, TextWriter.Null, TextWriter.Null));

        var data = new SyntheticIntentData(Small);
        Assert.Equal(60L, await database.ScalarAsync<long>("SELECT count(*) FROM topics"));
        Assert.Equal(400L, await database.ScalarAsync<long>("SELECT count(*) FROM people"));
        var expectedScores = Small.Dates.Sum(d => (long)data.Scores(d).Count());
        Assert.Equal(expectedScores, await database.ScalarAsync<long>("SELECT count(*) FROM intent_scores"));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM data_dates WHERE complete"));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_inherits WHERE inhparent = 'intent_scores'::regclass"));
        var loaded = await database.ScalarAsync<string>(
            "SELECT encode(sha256(convert_to(string_agg(data_date || ':' || person_id || ':' || topic_id || ':' || score, ',' ORDER BY data_date, person_id, topic_id), 'UTF8')), 'hex') FROM intent_scores");
        var generated = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(",",
            Small.Dates.SelectMany(d => data.Scores(d).OrderBy(s => s.PersonId).ThenBy(s => s.TopicId).Select(s => $"{d:yyyy-MM-dd}:{s.PersonId}:{s.TopicId}:{s.Score}"))))));
        Assert.Equal(generated, loaded);

        Assert.Equal(1, await SeedCommand.RunAsync(database.ConnectionString, args, TextWriter.Null, TextWriter.Null));
        Assert.Equal(0, await SeedCommand.RunAsync(database.ConnectionString, [.. args, "--if-empty"], TextWriter.Null, TextWriter.Null));
        Assert.Equal(400L, await database.ScalarAsync<long>("SELECT count(*) FROM people"));
    }

    private static string Fingerprint(SeedOptions options)
    {
        var data = new SyntheticIntentData(options);
        var text = new StringBuilder();
        foreach (var t in data.Topics())
        {
            text.Append(t.TopicId).Append(t.TopicName).Append(t.Type).Append(t.Industry).Append(t.Category).Append('\n');
        }

        foreach (var p in data.People())
        {
            text.Append(p.PersonId).Append(p.HashedEmail).Append(p.FullName).Append(p.BusinessEmail).Append(p.JobTitle).Append(p.CompanyDomain)
                .Append(p.Country).Append(p.IsDecisionMaker).Append('\n');
        }

        foreach (var date in options.Dates)
        {
            foreach (var s in data.Scores(date))
            {
                text.Append(s.PersonId).Append(':').Append(s.TopicId).Append(':').Append(s.Score).Append('\n');
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
