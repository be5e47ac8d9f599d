namespace Intent.Pipeline.Audiences;

/// <summary>Every filter an audience config may use, defined once: the parser checks configs against it and <c>FilterSql</c> compiles from it.</summary>
public static class FilterCatalog
{
    public static IReadOnlyDictionary<string, FilterDefinition> Filters { get; } = ByKey(
        new("company.industries", FilterKind.Values, FilterMatch.Equals, "company_industry"),
        new("company.domains", FilterKind.Values, FilterMatch.Equals, "company_domain"),
        new("company.revenueRanges", FilterKind.Values, FilterMatch.Equals, "company_revenue_range"),
        new("company.employeeRanges", FilterKind.Values, FilterMatch.Equals, "company_employee_range"),
        new("role.seniority", FilterKind.Values, FilterMatch.Equals, "seniority"),
        new("role.department", FilterKind.Values, FilterMatch.Equals, "department"),
        new("role.isDecisionMaker", FilterKind.Boolean, FilterMatch.IsTrue, "is_decision_maker"),
        new("jobTitle.include", FilterKind.Values, FilterMatch.Contains, "job_title"),
        new("jobTitle.exclude", FilterKind.Values, FilterMatch.Excludes, "job_title"),
        new("jobTitle.exact", FilterKind.Values, FilterMatch.Equals, "job_title"),
        new("contact.hasBusinessEmail", FilterKind.Boolean, FilterMatch.IsPresent, "business_email"),
        new("location.countries", FilterKind.Values, FilterMatch.Equals, "country"));

    private static SortedDictionary<string, FilterDefinition> ByKey(params FilterDefinition[] filters) =>
        new(filters.ToDictionary(f => f.Key, StringComparer.Ordinal), StringComparer.Ordinal);
}
