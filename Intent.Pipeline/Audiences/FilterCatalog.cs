namespace Intent.Pipeline.Audiences;

/// <summary>The filters an audience config may use, and the kind of value each takes.</summary>
public static class FilterCatalog
{
    public static IReadOnlyDictionary<string, FilterKind> Filters { get; } = new SortedDictionary<string, FilterKind>(StringComparer.Ordinal)
    {
        ["company.industries"] = FilterKind.Values,
        ["company.domains"] = FilterKind.Values,
        ["company.revenueRanges"] = FilterKind.Values,
        ["company.employeeRanges"] = FilterKind.Values,
        ["role.seniority"] = FilterKind.Values,
        ["role.department"] = FilterKind.Values,
        ["role.isDecisionMaker"] = FilterKind.Boolean,
        ["jobTitle.include"] = FilterKind.Values,
        ["jobTitle.exclude"] = FilterKind.Values,
        ["jobTitle.exact"] = FilterKind.Values,
        ["contact.hasBusinessEmail"] = FilterKind.Boolean,
        ["location.countries"] = FilterKind.Values,
    };
}
