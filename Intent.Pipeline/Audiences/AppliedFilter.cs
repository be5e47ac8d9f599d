using System.Text.Json.Serialization;
using Intent.Data;

namespace Intent.Pipeline.Audiences;

/// <summary>
/// One filter of a normalized config as validate and preview report it (<c>appliedFilters[]</c>): its key, group,
/// label and catalog type, how it compares (<c>operator</c>, and <c>mode</c> with its <c>values</c>, or the flag
/// <c>value</c>), and a sentence saying it.
/// </summary>
public sealed record AppliedFilter(
    string Key,
    string Group,
    string Label,
    string Type,
    string Operator,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Mode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Values,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Value,
    string Summary)
{
    /// <summary>The filters of <paramref name="config"/> in the catalog's order.</summary>
    public static IReadOnlyList<AppliedFilter> Of(AudienceConfig config) =>
    [
        .. FilterCatalog.All.Where(d => config.Filters.ContainsKey(d.Key)).Select(d => From(d, config.Filters[d.Key])),
    ];

    private static AppliedFilter From(FilterDefinition definition, AudienceFilter filter)
    {
        if (filter.Kind == FilterKind.Boolean)
        {
            return new(definition.Key, definition.Group, definition.Label, definition.Type, definition.Operator, null, null, filter.Flag,
                $"{definition.Label}: {(filter.Flag ? "yes" : "no")}");
        }

        var mode = SnakeCaseNames.Of(filter.Mode);
        var quantifier = filter.Values.Count == 1 ? "" : $"{mode} of ";
        var summary = $"{definition.Label}: {quantifier}{string.Join(", ", filter.Values)}";
        return new(definition.Key, definition.Group, definition.Label, definition.Type, definition.Operator, mode, filter.Values, null, summary);
    }
}
