namespace Intent.Pipeline.Audiences;

/// <summary>
/// One filter, defined once: its key in a config (and older keys that still mean it), the value it takes, how it
/// tests which <c>people</c> column, and how the catalog (<c>GET /v1/intent/audiences/filters</c>) and
/// <c>appliedFilters</c> present it. Filters run on <c>people_traits</c>, which carries that column under the same
/// name (text as a code, a flag as itself, presence as its result field's filled bit); a new column needs it there too.
/// </summary>
public sealed record FilterDefinition
{
    /// <summary><c>group.name</c>, e.g. <c>role.seniority</c>.</summary>
    public required string Key { get; init; }

    public required FilterKind Kind { get; init; }

    public required FilterMatch Match { get; init; }

    /// <summary>The <c>people</c> (and <c>people_traits</c>) column the filter tests.</summary>
    public required string Column { get; init; }

    /// <summary>For <see cref="FilterMatch.Pattern"/>: a PostgreSQL regular expression tested on the lower-cased column.</summary>
    public string? Pattern { get; init; }

    public required string Label { get; init; }

    public required string Description { get; init; }

    public FilterSection Section { get; init; } = FilterSection.Standard;

    /// <summary>Whether the catalog lists the column's values with their people counts (few distinct values).</summary>
    public bool ListsValues { get; init; }

    public string? Placeholder { get; init; }

    public string? HelperText { get; init; }

    /// <summary>Keys that configs used before; they are read as this filter and normalized to <see cref="Key"/>.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public string Group => Key[..Key.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>The key without its group: the property name in the nested form <c>{"role": {"seniority": ...}}</c>.</summary>
    public string Name => Key[(Key.IndexOf('.', StringComparison.Ordinal) + 1)..];

    /// <summary>The catalog's <c>type</c>: <c>multi_select</c>, <c>text_terms</c> or <c>boolean</c>.</summary>
    public string Type => Kind == FilterKind.Boolean ? "boolean" : ListsValues ? "multi_select" : "text_terms";

    /// <summary>The catalog's <c>valueType</c>: <c>enum</c>, <c>string</c> or <c>boolean</c>.</summary>
    public string ValueType => Kind == FilterKind.Boolean ? "boolean" : ListsValues ? "enum" : "string";

    /// <summary>The catalog's <c>ui.control</c>: <c>multi_select</c>, <c>text_chips</c> or <c>toggle</c>.</summary>
    public string Control => Kind == FilterKind.Boolean ? "toggle" : ListsValues ? "multi_select" : "text_chips";

    /// <summary>How a value is compared: <c>equals</c>, <c>contains</c> (the only <c>operator</c> a config may name for it), or <c>is</c> for a flag.</summary>
    public string Operator => Match switch
    {
        FilterMatch.Equals => "equals",
        FilterMatch.Contains or FilterMatch.Excludes => "contains",
        _ => "is",
    };
}
