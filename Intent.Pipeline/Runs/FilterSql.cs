using Intent.Data;
using Intent.Data.Runs;
using Intent.Pipeline.Audiences;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Pipeline.Runs;

/// <summary>
/// Turns normalized audience filters into SQL conditions on <c>people_traits p</c> as <see cref="FilterCatalog"/> defines them,
/// values always as parameters. A text column is a code there: the condition picks the codes whose value in
/// <c>person_values</c> passes the same test the value itself would, once per statement.
/// </summary>
public static class FilterSql
{
    /// <summary>The conditions of <paramref name="filters"/> joined with AND; parameters are named <paramref name="prefix"/>0, 1, ...</summary>
    public static (string Where, List<NpgsqlParameter> Parameters) Build(IReadOnlyDictionary<string, AudienceFilter> filters, string prefix = "f")
    {
        var conditions = new List<string> { "true" };
        var parameters = new List<NpgsqlParameter>();
        foreach (var (key, filter) in filters)
        {
            if (!FilterCatalog.Filters.TryGetValue(key, out var definition))
            {
                throw new InvalidOperationException($"No SQL for filter '{key}'.");
            }

            var name = $"{prefix}{parameters.Count}";
            var quantifier = filter.Mode == FilterMode.All ? "ALL" : "ANY";
            var column = $"p.{definition.Column}";
            switch (definition.Match)
            {
                case FilterMatch.IsTrue:
                    conditions.Add($"{column} = @{name}");
                    parameters.Add(new NpgsqlParameter(name, filter.Flag));
                    break;
                case FilterMatch.IsPresent:
                    conditions.Add($"({ResultFields.Filled("p", definition.Column)}) = @{name}");
                    parameters.Add(new NpgsqlParameter(name, filter.Flag));
                    break;
                case FilterMatch.Contains:
                    conditions.Add($"{column} = ANY({Codes(definition.Column, $"LIKE {quantifier}(@{name})")})");
                    parameters.Add(Texts(name, filter.Values.Select(LikePatterns.Containing)));
                    break;
                case FilterMatch.Excludes:
                    conditions.Add($"NOT coalesce({column} = ANY({Codes(definition.Column, $"LIKE {quantifier}(@{name})")}), false)");
                    parameters.Add(Texts(name, filter.Values.Select(LikePatterns.Containing)));
                    break;
                case FilterMatch.Pattern:
                    conditions.Add($"coalesce({column} = ANY({Codes(definition.Column, $"~ @{name}p")}), false) = @{name}");
                    parameters.Add(new NpgsqlParameter(name, filter.Flag));
                    parameters.Add(new NpgsqlParameter($"{name}p", NpgsqlDbType.Text) { Value = definition.Pattern });
                    break;
                case FilterMatch.Equals:
                    conditions.Add($"{column} = ANY({Codes(definition.Column, $"= {quantifier}(@{name})")})");
                    parameters.Add(Texts(name, filter.Values));
                    break;
                default:
                    throw new InvalidOperationException($"No SQL for filter '{key}'.");
            }
        }

        return (string.Join(" AND ", conditions), parameters);
    }

    private static string Codes(string column, string test) =>
        $"ARRAY(SELECT v.code FROM person_values v WHERE v.attribute = '{column}' AND lower(v.value) {test})";

    private static NpgsqlParameter Texts(string name, IEnumerable<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };
}
