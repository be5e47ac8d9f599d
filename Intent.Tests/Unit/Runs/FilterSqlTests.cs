using System.Text.Json;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Runs;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Tests.Unit.Runs;

/// <summary>What each filter of a normalized config becomes in SQL: fixed text on <c>people_traits p</c>, every value a parameter.</summary>
public sealed class FilterSqlTests
{
    private const string Hostile = "x'; DROP TABLE people; --";

    [Fact]
    public void No_filters_match_everyone_with_no_parameters()
    {
        var (where, parameters) = FilterSql.Build(Filters("{}"));
        Assert.Equal("true", where);
        Assert.Empty(parameters);
    }

    [Theory]
    [InlineData("role.isDecisionMaker", true, "p.is_decision_maker = @f0")]
    [InlineData("role.isDecisionMaker", false, "p.is_decision_maker = @f0")]
    [InlineData("contact.hasBusinessEmail", true, "((p.filled & 16) <> 0) = @f0")]
    [InlineData("contact.hasBusinessEmail", false, "((p.filled & 16) <> 0) = @f0")]
    [InlineData("contact.hasPersonalEmail", true, "((p.filled & 32) <> 0) = @f0")]
    [InlineData("contact.hasPhone", true, "((p.filled & 256) <> 0) = @f0")]
    [InlineData("contact.hasLinkedin", false, "((p.filled & 512) <> 0) = @f0")]
    public void A_boolean_filter_compares_its_column_with_the_flag_as_a_parameter(string filter, bool flag, string condition)
    {
        var (where, parameters) = FilterSql.Build(Filters($$"""{"{{filter}}":{{(flag ? "true" : "false")}} }"""));

        Assert.Equal($"true AND {condition}", where);
        var parameter = Assert.Single(parameters);
        Assert.Equal(("f0", flag), (parameter.ParameterName, (bool)parameter.Value!));
    }

    [Theory]
    [InlineData("company.industries", "company_industry")]
    [InlineData("company.domains", "company_domain")]
    [InlineData("company.revenueRanges", "company_revenue_range")]
    [InlineData("company.employeeRanges", "company_employee_range")]
    [InlineData("role.seniority", "seniority")]
    [InlineData("role.departments", "department")]
    [InlineData("company.industryGroups", "company_industry_group")]
    [InlineData("company.names", "company_name")]
    [InlineData("location.countries", "country")]
    [InlineData("jobTitle.exact", "job_title")]
    public void A_values_filter_takes_the_codes_whose_lower_cased_value_equals_any_or_all_of_the_normalized_values(string filter, string column)
    {
        var any = FilterSql.Build(Filters($$"""{"{{filter}}":{"values":[" Beta","ALPHA","beta"]} }"""));
        var all = FilterSql.Build(Filters($$"""{"{{filter}}":{"values":["Beta","alpha"],"mode":"all"} }"""));

        Assert.Equal($"true AND p.{column} = ANY({Codes(column, "= ANY(@f0)")})", any.Where);
        Assert.Equal($"true AND p.{column} = ANY({Codes(column, "= ALL(@f0)")})", all.Where);
        AssertTextArray(Assert.Single(any.Parameters), "f0", "alpha", "beta");
        AssertTextArray(Assert.Single(all.Parameters), "f0", "alpha", "beta");
    }

    [Theory]
    [InlineData("role.isCeo", "job_title", true)]
    [InlineData("role.isVp", "job_title", false)]
    [InlineData("role.isFinance", "department", true)]
    public void A_derived_flag_takes_the_codes_whose_value_matches_its_pattern_and_compares_with_the_flag(string filter, string column, bool flag)
    {
        var (where, parameters) = FilterSql.Build(Filters($$"""{"{{filter}}":{{(flag ? "true" : "false")}} }"""));

        Assert.Equal($"true AND coalesce(p.{column} = ANY({Codes(column, "~ @f0p")}), false) = @f0", where);
        Assert.Equal(["f0", "f0p"], parameters.Select(p => p.ParameterName));
        Assert.Equal(flag, parameters[0].Value);
        Assert.Equal(FilterCatalog.Filters[filter].Pattern, parameters[1].Value);
    }

    [Fact]
    public void A_prefix_names_the_parameters_so_that_several_compilations_share_one_statement()
    {
        var (where, parameters) = FilterSql.Build(Filters("""{"role.isCeo":true,"role.seniority":["vp"]}"""), "c3_");

        Assert.Equal(["c3_0", "c3_0p", "c3_2"], parameters.Select(p => p.ParameterName));
        Assert.Contains("@c3_2)", where, StringComparison.Ordinal);
        Assert.DoesNotContain("@f", where, StringComparison.Ordinal);
    }

    [Fact]
    public void Job_title_include_matches_titles_containing_any_or_all_of_the_values()
    {
        var any = FilterSql.Build(Filters("""{"jobTitle.include":{"values":["Engineer","head of DATA"]}}"""));
        var all = FilterSql.Build(Filters("""{"jobTitle.include":{"values":["Engineer","head of DATA"],"mode":"all"}}"""));

        Assert.Equal($"true AND p.job_title = ANY({Codes("job_title", "LIKE ANY(@f0)")})", any.Where);
        Assert.Equal($"true AND p.job_title = ANY({Codes("job_title", "LIKE ALL(@f0)")})", all.Where);
        AssertTextArray(Assert.Single(any.Parameters), "f0", "%engineer%", "%head of data%");
        AssertTextArray(Assert.Single(all.Parameters), "f0", "%engineer%", "%head of data%");
    }

    [Fact]
    public void Job_title_exclude_keeps_titles_containing_none_of_the_values_and_people_without_a_title()
    {
        var (where, parameters) = FilterSql.Build(Filters("""{"jobTitle.exclude":{"values":["Intern","assistant"]}}"""));

        Assert.Equal($"true AND NOT coalesce(p.job_title = ANY({Codes("job_title", "LIKE ANY(@f0)")}), false)", where);
        AssertTextArray(Assert.Single(parameters), "f0", "%assistant%", "%intern%");
    }

    [Theory]
    [InlineData("jobTitle.include")]
    [InlineData("jobTitle.exclude")]
    public void Like_wildcards_and_the_escape_character_in_a_job_title_are_matched_literally(string filter)
    {
        var (_, parameters) = FilterSql.Build(Filters($$"""{"{{filter}}":{"values":["50%_OFF\\deal"]} }"""));

        AssertTextArray(Assert.Single(parameters), "f0", """%50\%\_off\\deal%""");
    }

    [Fact]
    public void An_exact_job_title_is_compared_whole_with_its_wildcards_as_plain_characters()
    {
        var (where, parameters) = FilterSql.Build(Filters("""{"jobTitle.exact":{"values":["50%_off"]}}"""));

        Assert.Equal($"true AND p.job_title = ANY({Codes("job_title", "= ANY(@f0)")})", where);
        AssertTextArray(Assert.Single(parameters), "f0", "50%_off");
    }

    [Fact]
    public void Several_filters_are_joined_with_AND_each_with_a_parameter_of_its_own()
    {
        var (where, parameters) = FilterSql.Build(Filters("""
            {"role.seniority":{"values":["vp"]},"contact.hasBusinessEmail":true,"jobTitle.exclude":{"values":["intern"]}}
            """));

        Assert.Equal(
            $"true AND ((p.filled & 16) <> 0) = @f0 AND NOT coalesce(p.job_title = ANY({Codes("job_title", "LIKE ANY(@f1)")}), false) " +
            $"AND p.seniority = ANY({Codes("seniority", "= ANY(@f2)")})",
            where);
        Assert.Equal(["f0", "f1", "f2"], parameters.Select(p => p.ParameterName));
    }

    public static TheoryData<string> ValuesFilters() => [.. FilterCatalog.Filters.Where(f => f.Value.Kind == FilterKind.Values).Select(f => f.Key)];

    [Theory]
    [MemberData(nameof(ValuesFilters))]
    public void A_hostile_value_travels_only_as_a_parameter_and_the_sql_text_does_not_depend_on_values(string filter)
    {
        var hostile = FilterSql.Build(Filters($$"""{"{{filter}}":{"values":[{{JsonSerializer.Serialize(Hostile)}}, "it's"]} }"""));
        var plain = FilterSql.Build(Filters($$"""{"{{filter}}":{"values":["a", "b"]} }"""));

        Assert.Equal(plain.Where, hostile.Where);
        Assert.DoesNotContain("drop", hostile.Where, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("x'", hostile.Where, StringComparison.Ordinal);
        Assert.DoesNotContain("it's", hostile.Where, StringComparison.Ordinal);
        var values = (string[])Assert.Single(hostile.Parameters).Value!;
        Assert.Contains(values, v => v.Contains(Hostile.ToLowerInvariant(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_filter_with_no_sql_is_refused_rather_than_written_into_the_statement()
    {
        var filters = new Dictionary<string, AudienceFilter>
        {
            ["p.person_id) OR (true"] = new(FilterKind.Values, ["x"], FilterMode.Any, false),
        };

        var refused = Assert.Throws<InvalidOperationException>(() => FilterSql.Build(filters));
        Assert.Contains("No SQL for filter", refused.Message, StringComparison.Ordinal);
    }

    private static IReadOnlyDictionary<string, AudienceFilter> Filters(string filters)
    {
        using var document = JsonDocument.Parse($$"""{"topicIds":[1],"filters":{{filters}} }""");
        var (config, errors) = AudienceConfigParser.Parse(document.RootElement);
        Assert.Empty(errors);
        return config!.Filters;
    }

    private static void AssertTextArray(NpgsqlParameter parameter, string name, params string[] values)
    {
        Assert.Equal(name, parameter.ParameterName);
        Assert.Equal(NpgsqlDbType.Array | NpgsqlDbType.Text, parameter.NpgsqlDbType);
        Assert.Equal(values, (string[])parameter.Value!);
    }

    private static string Codes(string column, string test) =>
        $"ARRAY(SELECT v.code FROM person_values v WHERE v.attribute = '{column}' AND lower(v.value) {test})";
}
