namespace Intent.Pipeline.Previews;

/// <summary>The audience by industry and by seniority, the most common values first; people without the value are not counted.</summary>
public sealed record PreviewBreakdowns(IReadOnlyList<PreviewValue> Industries, IReadOnlyList<PreviewValue> Seniorities);
