namespace Intent.Pipeline.Audiences;

/// <summary>One filter of a normalized config: lower-cased, trimmed, sorted, distinct values and a mode; or a boolean.</summary>
public sealed record AudienceFilter(FilterKind Kind, IReadOnlyList<string> Values, FilterMode Mode, bool Flag);
