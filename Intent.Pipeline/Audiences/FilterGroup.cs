namespace Intent.Pipeline.Audiences;

/// <summary>A group of filters in the catalog: the part of a filter key before the dot (<c>company</c>, <c>role</c>, ...).</summary>
public sealed record FilterGroup(string Key, string Label, string Description);
