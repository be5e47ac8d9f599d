using System.Text.Json;
using Intent.Data.Runs;
using Intent.Pipeline.Audiences;
using Intent.Pipeline.Runs;

namespace Intent.Tests.Unit.Audiences;

/// <summary>The one definition per filter holds together: keys, groups, columns, aliases, and what the catalog and <c>appliedFilters</c> derive from it.</summary>
public sealed class FilterCatalogDefinitionsTests
{
    private static readonly string[] TraitColumns =
    [
        "company_industry", "company_domain", "company_revenue_range", "company_employee_range", "seniority", "department", "job_title", "country",
        "company_name", "company_industry_group",
    ];

    [Fact]
    public void Every_filter_is_group_dot_name_in_a_known_group_and_listed_once()
    {
        Assert.Equal(FilterCatalog.All.Count, FilterCatalog.Filters.Count);
        foreach (var filter in FilterCatalog.All)
        {
            Assert.Contains(FilterCatalog.Groups, g => g.Key == filter.Group);
            Assert.Equal(filter.Key, $"{filter.Group}.{filter.Name}");
            Assert.DoesNotContain('.', filter.Name);
        }

        Assert.All(FilterCatalog.Groups, g => Assert.Contains(FilterCatalog.All, f => f.Group == g.Key));
    }

    [Fact]
    public void Every_filter_tests_a_column_people_traits_carries_in_the_form_its_match_reads()
    {
        foreach (var filter in FilterCatalog.All)
        {
            switch (filter.Match)
            {
                case FilterMatch.IsPresent:
                    Assert.Contains(ResultFields.All, f => f.Column == filter.Column);
                    break;
                case FilterMatch.IsTrue:
                    Assert.Equal("is_decision_maker", filter.Column);
                    break;
                default:
                    Assert.Contains(filter.Column, TraitColumns);
                    break;
            }

            Assert.Equal(filter.Match == FilterMatch.Pattern, filter.Pattern is not null);
            Assert.Equal(filter.Kind == FilterKind.Boolean, filter.Match is FilterMatch.IsTrue or FilterMatch.IsPresent or FilterMatch.Pattern);
            Assert.False(filter.ListsValues && filter.Kind == FilterKind.Boolean);
        }
    }

    [Fact]
    public void An_alias_names_no_current_filter_and_stays_in_its_filter_s_group()
    {
        Assert.NotEmpty(FilterCatalog.Aliases);
        foreach (var (alias, filter) in FilterCatalog.Aliases)
        {
            Assert.False(FilterCatalog.Filters.ContainsKey(alias));
            Assert.StartsWith($"{filter.Group}.", alias, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_catalog_type_control_and_operator_follow_from_the_definition()
    {
        var industries = FilterCatalog.Filters["company.industries"];
        Assert.Equal(("multi_select", "enum", "multi_select", "equals"), (industries.Type, industries.ValueType, industries.Control, industries.Operator));
        var include = FilterCatalog.Filters["jobTitle.include"];
        Assert.Equal(("text_terms", "string", "text_chips", "contains"), (include.Type, include.ValueType, include.Control, include.Operator));
        var ceo = FilterCatalog.Filters["role.isCeo"];
        Assert.Equal(("boolean", "boolean", "toggle", "is"), (ceo.Type, ceo.ValueType, ceo.Control, ceo.Operator));
    }

    [Fact]
    public void Applied_filters_follow_the_catalog_order_and_say_each_filter()
    {
        using var document = JsonDocument.Parse("""
            {"topicIds":[1],"filters":{"location.countries":["us","de"],"contact.hasPhone":false,"company.industries":{"values":["software"]},
             "jobTitle.include":{"values":["data","lead"],"mode":"all"}}}
            """);
        var config = AudienceConfigParser.Parse(document.RootElement).Config!;

        var applied = AppliedFilter.Of(config);

        Assert.Equal(["company.industries", "jobTitle.include", "contact.hasPhone", "location.countries"], applied.Select(a => a.Key));
        var industries = applied[0];
        Assert.Equal(("company", "Industry", "multi_select", "equals", "any", "Industry: software"),
            (industries.Group, industries.Label, industries.Type, industries.Operator, industries.Mode, industries.Summary));
        Assert.Equal(["software"], industries.Values);
        Assert.Null(industries.Value);
        Assert.Equal("Title contains: all of data, lead", applied[1].Summary);
        Assert.Equal((false, (string?)null, "Has phone: no"), (applied[2].Value!.Value, applied[2].Mode, applied[2].Summary));
        Assert.Equal("Country: any of de, us", applied[3].Summary);
        Assert.Equal("day_partition_in_traits", AudienceMaterializer.Strategy(config));
        Assert.Equal("day_partition_in", AudienceMaterializer.Strategy(config with { Filters = new Dictionary<string, AudienceFilter>() }));
    }
}
