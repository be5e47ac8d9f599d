namespace Intent.Pipeline.Audiences;

/// <summary>
/// Every filter an audience config may use, defined once: the parser checks configs against it, <c>FilterSql</c>
/// compiles from it, the filter catalog and <c>appliedFilters</c> describe it, and the catalog's value counts are
/// computed from it.
/// </summary>
public static class FilterCatalog
{
    /// <summary>The groups in the order the catalog shows them; every filter key starts with one of their keys.</summary>
    public static IReadOnlyList<FilterGroup> Groups { get; } =
    [
        new("company", "Company", "The person's employer: industry, size, revenue, name and domain."),
        new("role", "Role", "Seniority, department, and role flags derived from the job title and department."),
        new("jobTitle", "Job title", "Words the job title contains or must not contain, or whole titles."),
        new("contact", "Contact", "Which contact details are on file for the person."),
        new("location", "Location", "Where the person is."),
    ];

    /// <summary>Every filter by key, in the order the catalog shows them.</summary>
    public static IReadOnlyList<FilterDefinition> All { get; } =
    [
        Values("company.industries", "company_industry", "Industry", "The company's industry.", FilterSection.Recommended, lists: true),
        Values("company.industryGroups", "company_industry_group", "Industry group", "The broader group of the company's industry.", lists: true),
        Values("company.revenueRanges", "company_revenue_range", "Revenue range", "The company's annual revenue band.", lists: true),
        Values("company.employeeRanges", "company_employee_range", "Employee range", "The company's headcount band.", lists: true),
        Values("company.names", "company_name", "Company name", "Whole company names (case does not matter).", FilterSection.Advanced) with
        {
            Placeholder = "Acme Inc",
        },
        Values("company.domains", "company_domain", "Company domain", "The company's web domains.", FilterSection.Advanced) with
        {
            Placeholder = "acme.com",
        },
        Values("role.seniority", "seniority", "Seniority", "The level of the person's role.", FilterSection.Recommended, lists: true),
        Values("role.departments", "department", "Department", "The department the person works in.", lists: true) with
        {
            Aliases = ["role.department"],
        },
        Flag("role.isDecisionMaker", FilterMatch.IsTrue, "is_decision_maker", "Decision maker", "Whether the person makes purchase decisions.",
            FilterSection.Recommended),
        Flag("role.isCeo", FilterMatch.Pattern, "job_title", "CEO", "Whether the job title names a chief executive (CEO, Chief Executive Officer).") with
        {
            Pattern = @"\m(ceo|chief executive)\M",
        },
        Flag("role.isVp", FilterMatch.Pattern, "job_title", "Vice president", "Whether the job title names a vice president (VP, SVP, EVP, Vice President).") with
        {
            Pattern = @"\m(vp|svp|evp|avp|vice[ -]president)\M",
        },
        Flag("role.isFinance", FilterMatch.Pattern, "department", "Finance", "Whether the person works in finance or accounting.") with
        {
            Pattern = @"\m(financ\w*|accounting)\M",
        },
        Values("jobTitle.include", "job_title", "Title contains", "Job titles containing any (or all) of the words.", match: FilterMatch.Contains) with
        {
            Placeholder = "engineer",
            HelperText = "Matches anywhere in the title, ignoring case.",
        },
        Values("jobTitle.exclude", "job_title", "Title excludes", "Leaves out job titles containing any (or all) of the words; people without a title stay.",
            match: FilterMatch.Excludes) with
        {
            Placeholder = "intern",
            HelperText = "Matches anywhere in the title, ignoring case.",
        },
        Values("jobTitle.exact", "job_title", "Exact title", "Whole job titles (case does not matter).", FilterSection.Advanced) with
        {
            Placeholder = "chief technology officer",
        },
        Flag("contact.hasBusinessEmail", FilterMatch.IsPresent, "business_email", "Has business email", "Whether a business email is on file.",
            FilterSection.Recommended),
        Flag("contact.hasPersonalEmail", FilterMatch.IsPresent, "personal_email", "Has personal email", "Whether a personal email is on file."),
        Flag("contact.hasPhone", FilterMatch.IsPresent, "phone", "Has phone", "Whether a phone number is on file."),
        Flag("contact.hasLinkedin", FilterMatch.IsPresent, "linkedin_url", "Has LinkedIn", "Whether a LinkedIn profile is on file."),
        Values("location.countries", "country", "Country", "The person's country (ISO 3166 alpha-2 code).", FilterSection.Recommended, lists: true),
    ];

    public static IReadOnlyDictionary<string, FilterDefinition> Filters { get; } =
        new SortedDictionary<string, FilterDefinition>(All.ToDictionary(f => f.Key, StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Old keys and the filter each now names.</summary>
    public static IReadOnlyDictionary<string, FilterDefinition> Aliases { get; } =
        All.SelectMany(f => f.Aliases.Select(alias => (alias, f))).ToDictionary(a => a.alias, a => a.f, StringComparer.Ordinal);

    private static FilterDefinition Values(
        string key, string column, string label, string description, FilterSection section = FilterSection.Standard, bool lists = false,
        FilterMatch match = FilterMatch.Equals) => new()
        {
            Key = key,
            Kind = FilterKind.Values,
            Match = match,
            Column = column,
            Label = label,
            Description = description,
            Section = section,
            ListsValues = lists,
        };

    private static FilterDefinition Flag(
        string key, FilterMatch match, string column, string label, string description, FilterSection section = FilterSection.Standard) => new()
        {
            Key = key,
            Kind = FilterKind.Boolean,
            Match = match,
            Column = column,
            Label = label,
            Description = description,
            Section = section,
        };
}
