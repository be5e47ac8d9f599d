using Intent.Pipeline.Audiences;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Pipeline.Runs;

/// <summary>Turns normalized audience filters into SQL conditions on <c>people p</c>, values always as parameters.</summary>
public static class FilterSql
{
    private static readonly Dictionary<string, string> EqualityColumns = new(StringComparer.Ordinal)
    {
        ["company.industries"] = "p.company_industry",
        ["company.domains"] = "p.company_domain",
        ["company.revenueRanges"] = "p.company_revenue_range",
        ["company.employeeRanges"] = "p.company_employee_range",
        ["role.seniority"] = "p.seniority",
        ["role.department"] = "p.department",
        ["location.countries"] = "p.country",
        ["jobTitle.exact"] = "p.job_title",
    };

    public static (string Where, List<NpgsqlParameter> Parameters) Build(IReadOnlyDictionary<string, AudienceFilter> filters)
    {
        var conditions = new List<string> { "true" };
        var parameters = new List<NpgsqlParameter>();
        foreach (var (key, filter) in filters)
        {
            var name = $"f{parameters.Count}";
            var quantifier = filter.Mode == FilterMode.All ? "ALL" : "ANY";
            switch (key)
            {
                case "role.isDecisionMaker":
                    conditions.Add($"p.is_decision_maker = @{name}");
                    parameters.Add(new NpgsqlParameter(name, filter.Flag));
                    break;
                case "contact.hasBusinessEmail":
                    conditions.Add($"(p.business_email IS NOT NULL) = @{name}");
                    parameters.Add(new NpgsqlParameter(name, filter.Flag));
                    break;
                case "jobTitle.include":
                    conditions.Add($"lower(p.job_title) LIKE {quantifier}(@{name})");
                    parameters.Add(Patterns(name, filter.Values));
                    break;
                case "jobTitle.exclude":
                    conditions.Add($"NOT coalesce(lower(p.job_title) LIKE {quantifier}(@{name}), false)");
                    parameters.Add(Patterns(name, filter.Values));
                    break;
                case var equality when EqualityColumns.TryGetValue(equality, out var column):
                    conditions.Add($"lower({column}) = {quantifier}(@{name})");
                    parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = filter.Values.ToArray() });
                    break;
                default:
                    throw new InvalidOperationException($"No SQL for filter '{key}'.");
            }
        }

        return (string.Join(" AND ", conditions), parameters);
    }

    private static NpgsqlParameter Patterns(string name, IReadOnlyList<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = values.Select(v => "%" + v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
                .Replace("_", "\\_", StringComparison.Ordinal) + "%").ToArray(),
        };
}
