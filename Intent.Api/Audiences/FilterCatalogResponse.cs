using System.Text.Json.Serialization;

namespace Intent.Api.Audiences;

/// <summary><c>data</c> of <c>GET /v1/intent/audiences/filters</c>, in Orbit's shape.</summary>
public sealed record FilterCatalogResponse(FilterCatalogResponse.BuildVersion Version, FilterCatalogResponse.CatalogSummary Summary,
    IReadOnlyList<FilterCatalogResponse.Group> Groups)
{
    /// <summary>
    /// Which build of the value counts this is: <c>status</c> <c>catalog</c> (counted when people were last loaded) or
    /// <c>static_fallback</c> (no build yet: the filters without values); <c>catalogVersion</c> hashes the filter
    /// definitions, <c>buildId</c> the definitions and the counts, <c>generatedAt</c> is when they were counted.
    /// </summary>
    public sealed record BuildVersion(
        string Status, string SourceTable, string CatalogTable, string CatalogVersion, string? BuildId, DateOnly? BuildDate, DateTime? GeneratedAt,
        long? PeopleCount);

    public sealed record CatalogSummary(
        int GroupCount, int FilterCount, int ValueCount, int RecommendedFilterCount, int StandardFilterCount, int AdvancedFilterCount,
        bool SupportsAdvancedLogic, string DefaultFieldLogic);

    public sealed record Group(string Key, string Label, string Description, IReadOnlyList<Filter> Filters);

    /// <summary>
    /// One filter: <c>operators</c> are the <c>operator</c> values a config may give it, <c>modes</c> its <c>mode</c>
    /// values (values filters), <c>values</c> the known values with their people counts (filters with few values),
    /// <c>aliases</c> older keys that still mean it.
    /// </summary>
    public sealed record Filter(
        string Key,
        string Label,
        string Type,
        string ValueType,
        IReadOnlyList<string> Operators,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Modes,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Value>? Values,
        Ui Ui,
        string SourceColumn,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Aliases);

    /// <summary>A value as a config gives it (lower-cased; <c>true</c>/<c>false</c> for a flag), its usual spelling, and how many people have it.</summary>
    public sealed record Value([property: JsonPropertyName("value")] object Text, string Label, long Count);

    public sealed record Ui(
        string Label,
        string Description,
        string Control,
        string Section,
        bool Recommended,
        bool Advanced,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Placeholder,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HelperText);
}
