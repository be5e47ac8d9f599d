using System.Text.Json;
using System.Text.RegularExpressions;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Runs;
using NpgsqlTypes;

namespace Intent.Tests.Unit.Runs;

/// <summary>
/// The one statement that fills a snapshot (<see cref="AudienceMaterializer.BuildStatement"/>): the run's
/// settings and values all go as parameters, each placeholder has exactly one, and the SQL text is the same
/// whatever the values are.
/// </summary>
public sealed partial class MaterializationStatementTests
{
    private static readonly DateOnly DataDate = new(2026, 3, 14);
    private static readonly string ResultKey = new('d', 64);

    [Fact]
    public void The_run_settings_go_as_typed_parameters()
    {
        var (_, parameters) = AudienceMaterializer.BuildStatement(
            Config("""{"topicIds":[7,3,7],"minScore":75,"maxScore":95,"minTopicOverlap":2}"""), ResultKey, DataDate);

        var byName = parameters.ToDictionary(p => p.ParameterName);
        Assert.Equal(NpgsqlDbType.Array | NpgsqlDbType.Integer, byName["topics"].NpgsqlDbType);
        Assert.Equal([3, 7], (int[])byName["topics"].Value!);
        Assert.Equal((short)75, byName["min"].Value);
        Assert.Equal((short)95, byName["max"].Value);
        Assert.Equal(2L, byName["overlap"].Value);
        Assert.Equal(ResultKey, byName["key"].Value);
    }

    [Fact]
    public void The_result_key_is_typed_as_its_character_column_so_look_ups_can_use_its_index()
    {
        var (_, parameters) = AudienceMaterializer.BuildStatement(Config("""{"topicIds":[1]}"""), ResultKey, DataDate);

        Assert.Equal(NpgsqlDbType.Char, Assert.Single(parameters, p => p.ParameterName == "key").NpgsqlDbType);
    }

    [Fact]
    public void Every_placeholder_has_exactly_one_parameter_and_every_parameter_a_placeholder()
    {
        var (sql, parameters) = AudienceMaterializer.BuildStatement(Config("""
            {"topicIds":[1,2],"filters":{"role.seniority":{"values":["vp"]},"role.isDecisionMaker":true,"jobTitle.include":{"values":["data"]}}}
            """), ResultKey, DataDate);

        var names = parameters.Select(p => p.ParameterName).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(names.Order(StringComparer.Ordinal), Placeholder().Matches(sql).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_filters_conditions_are_applied_to_the_candidates_people()
    {
        var config = Config("""{"topicIds":[1],"filters":{"location.countries":{"values":["DE","fr"]}}}""");
        var (sql, _) = AudienceMaterializer.BuildStatement(config, ResultKey, DataDate);

        Assert.Contains($"WHERE {FilterSql.Build(config.Filters).Where}\n", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_values_travel_only_as_parameters_and_leave_the_sql_text_unchanged()
    {
        const string Hostile = "x'; DROP TABLE people; --";
        var everyValuesFilter = FilterCatalog.Filters.Where(f => f.Value.Kind == FilterKind.Values).ToList();
        string FiltersOf(string value) =>
            string.Join(",", everyValuesFilter.Select(f => $$"""  "{{f.Key}}":{"values":[{{JsonSerializer.Serialize(value)}}]}"""));

        var hostile = AudienceMaterializer.BuildStatement(Config($$"""{"topicIds":[1],"filters":{ {{FiltersOf(Hostile)}} } }"""), ResultKey, DataDate);
        var plain = AudienceMaterializer.BuildStatement(Config($$"""{"topicIds":[1],"filters":{ {{FiltersOf("plain")}} } }"""), ResultKey, DataDate);

        Assert.Equal(plain.Sql, hostile.Sql);
        Assert.DoesNotContain("drop table", hostile.Sql, StringComparison.OrdinalIgnoreCase);
        var carried = hostile.Parameters.Where(p => p.Value is string[] values && values.Any(v => v.Contains("drop table people", StringComparison.Ordinal))).ToList();
        Assert.Equal(everyValuesFilter.Count, carried.Count);
    }

    [GeneratedRegex(@"(?<![@\w])@([A-Za-z_]\w*)")]
    private static partial Regex Placeholder();

    private static AudienceConfig Config(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (config, errors) = AudienceConfigParser.Parse(document.RootElement);
        Assert.Empty(errors);
        return config!;
    }
}
