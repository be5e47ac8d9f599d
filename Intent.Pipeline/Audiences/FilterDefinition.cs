namespace Intent.Pipeline.Audiences;

/// <summary>
/// One filter: its key in a config, the value it takes, and how it tests which <c>people</c> column. Filters run on
/// <c>people_traits</c>, which carries that column under the same name (text as a code, a flag as itself, presence as
/// its result field's filled bit); a new column needs it there too.
/// </summary>
public sealed record FilterDefinition(string Key, FilterKind Kind, FilterMatch Match, string Column);
