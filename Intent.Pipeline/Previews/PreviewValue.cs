namespace Intent.Pipeline.Previews;

/// <summary>One value of a preview breakdown: the lower-cased value a filter takes, its most common spelling, and how many people of the audience have it.</summary>
public sealed record PreviewValue(string Value, string Label, long Count);
