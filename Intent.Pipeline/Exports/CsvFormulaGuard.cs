namespace Intent.Pipeline.Exports;

/// <summary>
/// CSV formula injection (OWASP): a spreadsheet evaluates a cell that starts with <c>=</c>, <c>+</c>,
/// <c>-</c>, <c>@</c>, a tab or a carriage return. In the CSV such a value gets a leading <c>'</c> and its
/// field is always quoted, computed inside the COPY query. Every text field is guarded, but no valid value
/// of a machine-readable field is changed: hashes, domains and URLs never start with those characters, and
/// a phone number (<c>+1 555 0100</c>) or an email address (<c>+sales@example.com</c>) keeps its value
/// when it has that shape, which cannot hold a formula (no parentheses, quotes, <c>!</c> or <c>|</c>).
/// </summary>
public static class CsvFormulaGuard
{
    /// <summary>The first characters that make a spreadsheet evaluate a cell, as SQL literals.</summary>
    public const string TriggerCharacters = "'=', '+', '-', '@', chr(9), chr(13)";

    private const string PhoneShape = @"^\+[0-9 ().-]+$";
    private const string EmailShape = @"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$";

    /// <summary>The guarded <c>people</c> columns, each with the shape a value keeps unchanged in (null: none).</summary>
    public static readonly IReadOnlyDictionary<string, string?> Columns = new Dictionary<string, string?>
    {
        ["hashed_email"] = null,
        ["first_name"] = null,
        ["last_name"] = null,
        ["full_name"] = null,
        ["business_email"] = EmailShape,
        ["personal_email"] = EmailShape,
        ["email"] = EmailShape,
        ["primary_contact_email"] = EmailShape,
        ["phone"] = PhoneShape,
        ["linkedin_url"] = null,
        ["headline"] = null,
        ["job_title"] = null,
        ["seniority"] = null,
        ["department"] = null,
        ["company_name"] = null,
        ["company_domain"] = null,
        ["company_industry"] = null,
        ["company_industry_group"] = null,
        ["company_revenue_range"] = null,
        ["company_employee_range"] = null,
        ["country"] = null,
    };

    /// <summary>The SQL value of <paramref name="expression"/> (a text value of <paramref name="column"/>), neutralized.</summary>
    public static string Neutralized(string column, string expression)
    {
        if (!Columns.TryGetValue(column, out var shape))
        {
            throw new ArgumentException($"'{column}' is not a guarded column", nameof(column));
        }

        var keep = shape is null ? "" : $" AND {expression} !~ '{shape}'";
        return $"CASE WHEN left({expression}, 1) IN ({TriggerCharacters}){keep} THEN '''' || {expression} ELSE {expression} END";
    }
}
