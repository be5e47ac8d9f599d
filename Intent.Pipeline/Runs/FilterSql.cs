using Intent.Data;
using Intent.Pipeline.Audiences;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Pipeline.Runs;

/// <summary>Turns normalized audience filters into SQL conditions on <c>people p</c> as <see cref="FilterCatalog"/> defines them, values always as parameters.</summary>
public static class FilterSql
{
    public static (string Where, List<NpgsqlParameter> Parameters) Build(IReadOnlyDictionary<string, AudienceFilter> filters)
    {
        var conditions = new List<string> { "true" };
        var parameters = new List<NpgsqlParameter>();
        foreach (var (key, filter) in filters)
        {
            if (!FilterCatalog.Filters.TryGetValue(key, out var definition))
            {
                throw new InvalidOperationException($"No SQL for filter '{key}'.");
            }

            var name = $"f{parameters.Count}";
            var quantifier = filter.Mode == FilterMode.All ? "ALL" : "ANY";
            var column = $"p.{definition.Column}";
            switch (definition.Match)
            {
                case FilterMatch.IsTrue:
                    conditions.Add($"{column} = @{name}");
                    parameters.Add(new NpgsqlParameter(name, filter.Flag));
                    break;
                case FilterMatch.IsPresent:
                    conditions.Add($"({column} IS NOT NULL) = @{name}");
                    parameters.Add(new NpgsqlParameter(name, filter.Flag));
                    break;
                case FilterMatch.Contains:
                    conditions.Add($"lower({column}) LIKE {quantifier}(@{name})");
                    parameters.Add(Texts(name, filter.Values.Select(LikePatterns.Containing)));
                    break;
                case FilterMatch.Excludes:
                    conditions.Add($"NOT coalesce(lower({column}) LIKE {quantifier}(@{name}), false)");
                    parameters.Add(Texts(name, filter.Values.Select(LikePatterns.Containing)));
                    break;
                case FilterMatch.Equals:
                    conditions.Add($"lower({column}) = {quantifier}(@{name})");
                    parameters.Add(Texts(name, filter.Values));
                    break;
                default:
                    throw new InvalidOperationException($"No SQL for filter '{key}'.");
            }
        }

        return (string.Join(" AND ", conditions), parameters);
    }

    private static NpgsqlParameter Texts(string name, IEnumerable<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };
}
