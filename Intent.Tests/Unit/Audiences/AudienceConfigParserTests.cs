using System.Text.Json;
using Intent.Pipeline.Audiences;

namespace Intent.Tests.Unit.Audiences;

/// <summary>Every rule of an audience config, each refusal naming its field, and the limits checked before any element.</summary>
public sealed class AudienceConfigParserTests
{
    private const string KnownSettings = "is not a known setting (topicIds, minScore, maxScore, minTopicOverlap, filters, sourceUrl)";
    private const string ValuesShape = """must be an object {"values": [...], "mode": "any|all"} or an array of values""";
    private const string ValueRule = "must be a non-empty string of at most 255 characters";
    private const string ModeRule = "must be \"any\" or \"all\"";
    private const string KnownFilters = "is not a known filter (company.domains, company.employeeRanges, company.industries, company.industryGroups, "
        + "company.names, company.revenueRanges, contact.hasBusinessEmail, contact.hasLinkedin, contact.hasPersonalEmail, contact.hasPhone, "
        + "jobTitle.exact, jobTitle.exclude, jobTitle.include, location.countries, role.departments, role.isCeo, role.isDecisionMaker, "
        + "role.isFinance, role.isVp, role.seniority)";

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("\"topicIds\"")]
    [InlineData("7")]
    public void A_config_that_is_not_an_object_is_refused_as_a_whole(string json) =>
        AssertRefused(json, ("config", "must be an object"));

    [Fact]
    public void An_unknown_setting_is_refused_by_name_and_the_known_ones_are_listed() =>
        AssertRefused("""{"topicIds":[1],"minscore":80}""", ("config.minscore", KnownSettings));

    [Theory]
    [InlineData("""{}""", "config.topicIds", "is required")]
    [InlineData("""{"topicIds":null}""", "config.topicIds", "must be an array of topic ids")]
    [InlineData("""{"topicIds":"1,2"}""", "config.topicIds", "must be an array of topic ids")]
    [InlineData("""{"topicIds":{"0":1}}""", "config.topicIds", "must be an array of topic ids")]
    [InlineData("""{"topicIds":[]}""", "config.topicIds", "must name 1 to 10 distinct topics")]
    [InlineData("""{"topicIds":[1,"2"]}""", "config.topicIds[1]", "must be a positive integer topic id")]
    [InlineData("""{"topicIds":[1,0]}""", "config.topicIds[1]", "must be a positive integer topic id")]
    [InlineData("""{"topicIds":[1,-4]}""", "config.topicIds[1]", "must be a positive integer topic id")]
    [InlineData("""{"topicIds":[1,1.5]}""", "config.topicIds[1]", "must be a positive integer topic id")]
    [InlineData("""{"topicIds":[1,2147483648]}""", "config.topicIds[1]", "must be a positive integer topic id")]
    [InlineData("""{"topicIds":[1,null]}""", "config.topicIds[1]", "must be a positive integer topic id")]
    [InlineData("""{"topicIds":[1,true]}""", "config.topicIds[1]", "must be a positive integer topic id")]
    [InlineData("""{"topicIds":[1,2,3,4,5,6,7,8,9,10,11]}""", "config.topicIds", "must name 1 to 10 distinct topics (got 11 ids)")]
    [InlineData("""{"topicIds":[1,1,1,1,1,1,1,1,1,1,1]}""", "config.topicIds", "must name 1 to 10 distinct topics (got 11 ids)")]
    public void Topic_ids_are_required_positive_integers_one_to_ten(string json, string field, string message) =>
        AssertRefused(json, (field, message));

    [Fact]
    public void Every_bad_topic_id_is_named_by_its_index()
    {
        AssertRefused("""{"topicIds":["a",2,0,"b"]}""",
            ("config.topicIds[0]", "must be a positive integer topic id"),
            ("config.topicIds[2]", "must be a positive integer topic id"),
            ("config.topicIds[3]", "must be a positive integer topic id"));
    }

    [Fact]
    public void Ten_ids_naming_one_topic_are_one_topic() =>
        Assert.Equal([4], Valid("""{"topicIds":[4,4,4,4,4,4,4,4,4,4]}""").TopicIds);

    [Fact]
    public void A_topic_list_over_the_limit_is_refused_by_its_length_before_any_element_is_examined()
    {
        var ids = string.Join(",", Enumerable.Repeat("\"not an id\"", 100_000));
        AssertRefused($$"""{"topicIds":[{{ids}}]}""", ("config.topicIds", "must name 1 to 10 distinct topics (got 100000 ids)"));
    }

    [Theory]
    [InlineData("minScore", "0", "must be an integer from 1 to 100")]
    [InlineData("minScore", "101", "must be an integer from 1 to 100")]
    [InlineData("minScore", "\"80\"", "must be an integer from 1 to 100")]
    [InlineData("minScore", "80.5", "must be an integer from 1 to 100")]
    [InlineData("minScore", "true", "must be an integer from 1 to 100")]
    [InlineData("maxScore", "0", "must be an integer from 1 to 100")]
    [InlineData("maxScore", "101", "must be an integer from 1 to 100")]
    [InlineData("maxScore", "[90]", "must be an integer from 1 to 100")]
    [InlineData("minTopicOverlap", "0", "must be an integer from 1 to 10")]
    [InlineData("minTopicOverlap", "11", "must be an integer from 1 to 10")]
    [InlineData("minTopicOverlap", "\"1\"", "must be an integer from 1 to 10")]
    public void Scores_and_overlap_are_integers_in_their_ranges(string setting, string value, string message) =>
        AssertRefused($$"""{"topicIds":[1],"{{setting}}":{{value}}}""", ($"config.{setting}", message));

    [Fact]
    public void The_score_range_may_not_be_upside_down() =>
        AssertRefused("""{"topicIds":[1],"minScore":90,"maxScore":80}""", ("config.maxScore", "must be at least minScore (90)"));

    [Fact]
    public void A_range_of_one_score_is_allowed()
    {
        var config = Valid("""{"topicIds":[1],"minScore":85,"maxScore":85}""");
        Assert.Equal((85, 85), (config.MinScore, config.MaxScore));
    }

    [Theory]
    [InlineData("""{"topicIds":[1,2],"minTopicOverlap":3}""", "must not exceed the number of topics (2)")]
    [InlineData("""{"topicIds":[1,2,2,1],"minTopicOverlap":3}""", "must not exceed the number of topics (2)")]
    public void The_overlap_may_not_exceed_the_distinct_topics(string json, string message) =>
        AssertRefused(json, ("config.minTopicOverlap", message));

    [Theory]
    [InlineData("[]")]
    [InlineData("\"role.seniority\"")]
    [InlineData("true")]
    public void Filters_must_be_an_object_keyed_by_filter(string filters) =>
        AssertRefused($$"""{"topicIds":[1],"filters":{{filters}}}""", ("config.filters", "must be an object keyed by filter"));

    [Fact]
    public void An_unknown_filter_is_refused_by_name_and_the_known_ones_are_listed() =>
        AssertRefused("""{"topicIds":[1],"filters":{"role.title":{"values":["cto"]}}}""",
            ("config.filters.role.title", KnownFilters));

    [Theory]
    [InlineData("role.isDecisionMaker", "\"true\"")]
    [InlineData("role.isDecisionMaker", "1")]
    [InlineData("role.isDecisionMaker", "null")]
    [InlineData("contact.hasBusinessEmail", """{"values":["yes"]}""")]
    [InlineData("contact.hasBusinessEmail", "[true]")]
    public void A_boolean_filter_takes_only_true_or_false(string filter, string value) =>
        AssertRefused(WithFilter(filter, value), ($"config.filters.{filter}", "must be true or false"));

    [Theory]
    [InlineData("\"vp\"", "config.filters.role.seniority", ValuesShape)]
    [InlineData("null", "config.filters.role.seniority", ValuesShape)]
    [InlineData("""{"values":["vp"],"op":"all"}""", "config.filters.role.seniority.op", "is not a known property (values, mode, operator)")]
    [InlineData("""{"values":["vp"],"operator":"contains"}""", "config.filters.role.seniority.operator", "must be \"equals\" for this filter")]
    [InlineData("""{"values":["vp"],"operator":5}""", "config.filters.role.seniority.operator", "must be \"equals\" for this filter")]
    [InlineData("""[]""", "config.filters.role.seniority.values", "must hold 1 to 100 distinct values")]
    [InlineData("""["vp", 7]""", "config.filters.role.seniority.values[1]", ValueRule)]
    [InlineData("""{"values":["vp"],"mode":"ALL"}""", "config.filters.role.seniority.mode", ModeRule)]
    [InlineData("""{"values":["vp"],"mode":"both"}""", "config.filters.role.seniority.mode", ModeRule)]
    [InlineData("""{"values":["vp"],"mode":1}""", "config.filters.role.seniority.mode", ModeRule)]
    [InlineData("""{"mode":"any"}""", "config.filters.role.seniority.values", "is required: an array of strings")]
    [InlineData("""{"values":"vp"}""", "config.filters.role.seniority.values", "is required: an array of strings")]
    [InlineData("""{"values":null}""", "config.filters.role.seniority.values", "is required: an array of strings")]
    [InlineData("""{"values":[]}""", "config.filters.role.seniority.values", "must hold 1 to 100 distinct values")]
    [InlineData("""{"values":["vp",""]}""", "config.filters.role.seniority.values[1]", ValueRule)]
    [InlineData("""{"values":["vp","   "]}""", "config.filters.role.seniority.values[1]", ValueRule)]
    [InlineData("""{"values":["vp",5]}""", "config.filters.role.seniority.values[1]", ValueRule)]
    [InlineData("""{"values":["vp",null]}""", "config.filters.role.seniority.values[1]", ValueRule)]
    [InlineData("""{"values":["vp",["cto"]]}""", "config.filters.role.seniority.values[1]", ValueRule)]
    public void A_values_filter_is_an_object_of_values_and_mode(string value, string field, string message) =>
        AssertRefused(WithFilter("role.seniority", value), (field, message));

    [Fact]
    public void A_value_may_have_255_characters_once_trimmed_but_not_256()
    {
        var longest = new string('x', 255);
        Assert.Equal([longest], Valid(WithValues($"\"  {longest}  \"")).Filters["jobTitle.include"].Values);
        AssertRefused(WithValues($"\"{longest}y\""), ("config.filters.jobTitle.include.values[0]", ValueRule));
    }

    [Fact]
    public void A_filter_may_hold_100_values_and_101_are_refused_by_their_count_before_any_value_is_examined()
    {
        Assert.Equal(100, Valid(WithValues(string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"v{i}\"")))).Filters["jobTitle.include"].Values.Count);
        AssertRefused(WithValues(string.Join(",", Enumerable.Repeat("\"v\"", 101))),
            ("config.filters.jobTitle.include.values", "must hold 1 to 100 distinct values (got 101)"));
        AssertRefused(WithValues(string.Join(",", Enumerable.Repeat("[{}]", 50_000))),
            ("config.filters.jobTitle.include.values", "must hold 1 to 100 distinct values (got 50000)"));
    }

    [Fact]
    public void Every_mistake_is_reported_at_once_in_the_order_of_the_config()
    {
        AssertRefused(
            """{"colour":"red","topicIds":[],"minScore":0,"filters":{"role.seniority":{"values":[""]},"role.isDecisionMaker":"yes","role.title":true}}""",
            ("config.colour", KnownSettings),
            ("config.topicIds", "must name 1 to 10 distinct topics"),
            ("config.minScore", "must be an integer from 1 to 100"),
            ("config.filters.role.seniority.values[0]", ValueRule),
            ("config.filters.role.isDecisionMaker", "must be true or false"),
            ("config.filters.role.title", KnownFilters));
    }

    [Fact]
    public void A_valid_config_is_normalized_with_defaults_filled()
    {
        var config = Valid("""
            {"topicIds":[9,3,9],"filters":{"role.seniority":{"values":[" VP","Director ","vp"],"mode":"all"},"contact.hasBusinessEmail":false}}
            """);

        Assert.Equal([3, 9], config.TopicIds);
        Assert.Equal((70, 100, 1), (config.MinScore, config.MaxScore, config.MinTopicOverlap));
        Assert.Equal(["contact.hasBusinessEmail", "role.seniority"], config.Filters.Keys);
        var email = config.Filters["contact.hasBusinessEmail"];
        Assert.Equal((FilterKind.Boolean, false), (email.Kind, email.Flag));
        var seniority = config.Filters["role.seniority"];
        Assert.Equal((FilterKind.Values, FilterMode.All), (seniority.Kind, seniority.Mode));
        Assert.Equal(["director", "vp"], seniority.Values);
    }

    private static string WithFilter(string filter, string value) => $$"""{"topicIds":[1],"filters":{"{{filter}}":{{value}} } }""";

    private static string WithValues(string values) => WithFilter("jobTitle.include", $$"""{"values":[{{values}}]}""");

    private static AudienceConfig Valid(string json)
    {
        var (config, errors) = Parse(json);
        Assert.Empty(errors);
        return config!;
    }

    private static void AssertRefused(string json, params (string Field, string Message)[] expected)
    {
        var (config, errors) = Parse(json);
        Assert.Null(config);
        Assert.Equal(expected.Select(e => new FieldError(e.Field, e.Message)), errors);
    }

    private static (AudienceConfig? Config, IReadOnlyList<FieldError> Errors) Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return AudienceConfigParser.Parse(document.RootElement);
    }
}
