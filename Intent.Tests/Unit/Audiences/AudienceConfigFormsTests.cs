using System.Text.Json;
using Intent.Pipeline.Audiences;

namespace Intent.Tests.Unit.Audiences;

/// <summary>
/// The spellings of one config Orbit's pages show: a body that is the config itself, filters nested by group, a
/// values filter as a bare array, an explicit <c>operator</c>, old keys, and <c>sourceUrl</c>; each means what the
/// canonical form means and hashes alike.
/// </summary>
public sealed class AudienceConfigFormsTests
{
    private const string Canonical = """
        {"topicIds":[1,2],"filters":{"role.seniority":{"values":["vp","director"],"mode":"any"},"role.isDecisionMaker":true,
         "jobTitle.include":{"values":["data","engineer"],"mode":"all"},"contact.hasBusinessEmail":true}}
        """;

    [Fact]
    public void A_body_that_is_the_config_names_its_fields_without_a_prefix()
    {
        var (config, errors) = Parse("""{"topicIds":[1],"minScore":0,"filters":{"role.seniority":{"values":[""]}}}""", root: "");

        Assert.Null(config);
        Assert.Equal(["minScore", "filters.role.seniority.values[0]"], errors.Select(e => e.Field));
        Assert.Equal("body", Assert.Single(Parse("[1]", root: "").Errors).Field);
    }

    [Fact]
    public void Filters_nested_by_group_with_sibling_modes_mean_the_dotted_filters()
    {
        var nested = Valid("""
            {"topicIds":[2,1],"filters":{"role":{"seniority":["director","vp"],"isDecisionMaker":true},
             "jobTitle":{"include":["engineer","data"],"includeMode":"all"},"contact":{"hasBusinessEmail":true}}}
            """);

        Assert.Equal(Valid(Canonical).ToJson(), nested.ToJson());
        Assert.Equal(Valid(Canonical).Hash(), nested.Hash());
    }

    [Fact]
    public void A_values_filter_may_be_its_bare_array_of_values()
    {
        var bare = Valid("""{"topicIds":[1],"filters":{"location.countries":["DE"," fr"]}}""");
        var full = Valid("""{"topicIds":[1],"filters":{"location.countries":{"values":["de","FR"],"mode":"any"}}}""");

        Assert.Equal(full.Hash(), bare.Hash());
        Assert.Equal(["de", "fr"], bare.Filters["location.countries"].Values);
    }

    [Theory]
    [InlineData("jobTitle.include", "contains")]
    [InlineData("jobTitle.exclude", "contains")]
    [InlineData("jobTitle.exact", "equals")]
    [InlineData("company.industries", "equals")]
    public void A_filter_takes_its_own_operator_and_the_operator_changes_nothing(string filter, string op)
    {
        var with = Valid($$"""{"topicIds":[1],"filters":{"{{filter}}":{"values":["x"],"operator":"{{op}}"} } }""");
        var without = Valid($$"""{"topicIds":[1],"filters":{"{{filter}}":{"values":["x"]} } }""");

        Assert.Equal(without.Hash(), with.Hash());
        Assert.Equal(op, FilterCatalog.Filters[filter].Operator);
    }

    [Fact]
    public void The_old_department_key_is_read_as_departments_and_normalized_to_it()
    {
        var old = Valid("""{"topicIds":[1],"filters":{"role.department":{"values":["Sales"]}}}""");
        var current = Valid("""{"topicIds":[1],"filters":{"role.departments":{"values":["sales"]}}}""");
        var nestedOld = Valid("""{"topicIds":[1],"filters":{"role":{"department":["sales"]}}}""");

        Assert.Equal(["role.departments"], old.Filters.Keys);
        Assert.Contains("\"role.departments\"", old.ToJson(), StringComparison.Ordinal);
        Assert.Equal(current.Hash(), old.Hash());
        Assert.Equal(current.Hash(), nestedOld.Hash());
    }

    [Theory]
    [InlineData("""{"role.department":["a"],"role.departments":["b"]}""", "config.filters.role.departments")]
    [InlineData("""{"role.seniority":["a"],"role":{"seniority":["b"]}}""", "config.filters.role.seniority")]
    public void A_filter_given_twice_in_two_spellings_is_refused(string filters, string field)
    {
        var (config, errors) = Parse($$"""{"topicIds":[1],"filters":{{filters}} }""");

        Assert.Null(config);
        Assert.Equal(field, Assert.Single(errors).Field);
        Assert.Contains("again", errors[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"role":{"title":["cto"]}}""", "config.filters.role.title", "is not a known role filter (seniority, departments, isDecisionMaker, isCeo, isVp, isFinance)")]
    [InlineData("""{"role":{"seniorityMode":"all"}}""", "config.filters.role.seniorityMode", "is not a known role filter (seniority, departments, isDecisionMaker, isCeo, isVp, isFinance)")]
    [InlineData("""{"jobTitle":{"include":["a","b"],"includeMode":"most"}}""", "config.filters.jobTitle.includeMode", "must be \"any\" or \"all\"")]
    [InlineData("""{"contact":{"hasPhone":"yes"}}""", "config.filters.contact.hasPhone", "must be true or false")]
    [InlineData("""{"role":true}""", "config.filters.role", "is not a known filter")]
    public void A_nested_filter_is_checked_like_a_dotted_one(string filters, string field, string message)
    {
        var (config, errors) = Parse($$"""{"topicIds":[1],"filters":{{filters}} }""");

        Assert.Null(config);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_url_is_kept_with_the_config_but_not_hashed()
    {
        var with = Valid("""{"topicIds":[1],"sourceUrl":" https://example.com/pricing?a=1 "}""");
        var without = Valid("""{"topicIds":[1]}""");

        Assert.Equal("https://example.com/pricing?a=1", with.SourceUrl);
        Assert.Equal(without.Hash(), with.Hash());
        Assert.Equal("https://example.com/pricing?a=1", JsonDocument.Parse(with.ToJson()).RootElement.GetProperty("sourceUrl").GetString());
        Assert.False(JsonDocument.Parse(without.ToJson()).RootElement.TryGetProperty("sourceUrl", out _));
        Assert.Equal(with.ToJson(), Valid(with.ToJson()).ToJson());
    }

    [Theory]
    [InlineData("\"ftp://example.com\"")]
    [InlineData("\"example.com\"")]
    [InlineData("\"\"")]
    [InlineData("5")]
    [InlineData("\"https://example.com/\\u0000\"")]
    public void A_source_url_must_be_an_http_url(string value)
    {
        var (config, errors) = Parse($$"""{"topicIds":[1],"sourceUrl":{{value}} }""");

        Assert.Null(config);
        Assert.Equal("config.sourceUrl", Assert.Single(errors).Field);
    }

    [Fact]
    public void The_normalized_config_reads_back_as_itself_for_every_filter()
    {
        var everyFilter = string.Join(",", FilterCatalog.All.Select(f => f.Kind == FilterKind.Boolean
            ? $"\"{f.Key}\":false"
            : $$"""  "{{f.Key}}":{"values":["b","a"],"mode":"all"}"""));
        var config = Valid($$"""{"topicIds":[1,2],"filters":{ {{everyFilter}} } }""");

        Assert.Equal(FilterCatalog.All.Count, config.Filters.Count);
        Assert.Equal(config.ToJson(), Valid(config.ToJson()).ToJson());
    }

    private static AudienceConfig Valid(string json)
    {
        var (config, errors) = Parse(json);
        Assert.Empty(errors);
        return config!;
    }

    private static (AudienceConfig? Config, IReadOnlyList<FieldError> Errors) Parse(string json, string root = "config")
    {
        using var document = JsonDocument.Parse(json);
        return AudienceConfigParser.Parse(document.RootElement, root);
    }
}
