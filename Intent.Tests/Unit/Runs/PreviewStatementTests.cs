using System.Text.Json;
using System.Text.RegularExpressions;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Previews;
using Intent.Pipeline.Runs;

namespace Intent.Tests.Unit.Runs;

/// <summary>A preview's statement is the run's audience SQL, not a second compilation of the config: same candidates, same filters, same parameters.</summary>
public sealed partial class PreviewStatementTests
{
    private static readonly DateOnly DataDate = new(2026, 3, 14);

    [Fact]
    public void The_preview_reads_the_audience_with_the_run_s_own_candidate_and_filter_sql()
    {
        var config = Config("""
            {"topicIds":[4,2],"minScore":60,"filters":{"role.seniority":["vp"],"role.isCeo":false,"jobTitle.exclude":["intern"],"contact.hasPhone":true}}
            """);

        var (preview, previewParameters) = AudiencePreviewer.BuildStatement(config, DataDate, 10, 5);
        var (run, runParameters) = AudienceMaterializer.BuildStatement(config, new string('a', 64), DataDate);

        Assert.Equal(2, preview.Split(AudienceMaterializer.CandidatesSql(DataDate)).Length - 1);
        Assert.Contains($"WHERE {FilterSql.Build(config.Filters).Where}\n", preview, StringComparison.Ordinal);
        Assert.Equal(Cte(run, "filtered").Replace(", m.matched_topic_ids, p.filled", "", StringComparison.Ordinal),
            Cte(preview, "filtered").Replace(", p.company_industry, p.seniority", "", StringComparison.Ordinal));
        var shared = runParameters.Where(p => p.ParameterName != "key").Select(p => (p.ParameterName, p.NpgsqlDbType, Value: JsonSerializer.Serialize(p.Value)));
        Assert.Equal(shared, previewParameters.Where(p => p.ParameterName is not ("sample" or "top"))
            .Select(p => (p.ParameterName, p.NpgsqlDbType, Value: JsonSerializer.Serialize(p.Value))));
    }

    [Fact]
    public void Every_placeholder_has_one_parameter_and_the_preview_writes_nothing()
    {
        var (sql, parameters) = AudiencePreviewer.BuildStatement(Config("""{"topicIds":[1],"filters":{"role.isVp":true,"company.names":["acme"]}}"""), DataDate, 7, 3);

        var names = parameters.Select(p => p.ParameterName).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(names.Order(StringComparer.Ordinal), Placeholder().Matches(sql).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(7, parameters.Single(p => p.ParameterName == "sample").Value);
        Assert.Equal(3, parameters.Single(p => p.ParameterName == "top").Value);
        Assert.DoesNotMatch(Writes(), sql);
    }

    private static string Cte(string sql, string name)
    {
        var start = sql.IndexOf($"{name} AS (", StringComparison.Ordinal);
        return sql[start..sql.IndexOf("\n)", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex(@"(?<![@\w])@([A-Za-z_]\w*)")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\b(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Writes();

    private static AudienceConfig Config(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (config, errors) = AudienceConfigParser.Parse(document.RootElement);
        Assert.Empty(errors);
        return config!;
    }
}
