namespace Intent.Pipeline.Audiences;

/// <summary>One filter: its key in a config, the value it takes, and how it tests which <c>people</c> column.</summary>
public sealed record FilterDefinition(string Key, FilterKind Kind, FilterMatch Match, string Column);
