namespace Intent.Data.Runs;

/// <summary>
/// The public fields of a result person, in the order the API and the CSV export show them, with
/// the <c>people</c> column behind each: one list for the results, the stats' fill rates and the CSV.
/// </summary>
public static class ResultFields
{
    public sealed record Field(string Name, string Column);

    public static readonly IReadOnlyList<Field> All =
    [
        new("hashedEmail", "hashed_email"),
        new("firstName", "first_name"),
        new("lastName", "last_name"),
        new("fullName", "full_name"),
        new("businessEmail", "business_email"),
        new("personalEmail", "personal_email"),
        new("email", "email"),
        new("primaryContactEmail", "primary_contact_email"),
        new("phone", "phone"),
        new("linkedinUrl", "linkedin_url"),
        new("headline", "headline"),
        new("jobTitle", "job_title"),
        new("seniority", "seniority"),
        new("department", "department"),
        new("company.name", "company_name"),
        new("company.domain", "company_domain"),
        new("company.industry", "company_industry"),
        new("company.industryGroup", "company_industry_group"),
        new("company.revenueRange", "company_revenue_range"),
        new("company.employeeRange", "company_employee_range"),
        new("country", "country"),
        new("isDecisionMaker", "is_decision_maker"),
    ];

    /// <summary>
    /// The condition that <c>people_traits</c> row <paramref name="alias"/> has <paramref name="column"/> filled: its
    /// <c>filled</c> bits hold bit <c>i</c> for field <c>All[i]</c>, written by the database as people change.
    /// </summary>
    public static string Filled(string alias, string column)
    {
        var index = All.ToList().FindIndex(f => f.Column == column);
        return index < 0
            ? throw new ArgumentException($"'{column}' is not a result field.", nameof(column))
            : $"({alias}.filled & {1 << index}) <> 0";
    }

    /// <summary>The score buckets of the stats' histogram: label, lowest and highest score.</summary>
    public static readonly IReadOnlyList<(string Label, int Low, int High)> ScoreBuckets =
        [("1-49", 1, 49), ("50-69", 50, 69), ("70-89", 70, 89), ("90-99", 90, 99), ("100", 100, 100)];
}
