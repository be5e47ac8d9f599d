namespace Intent.Pipeline.Previews;

/// <summary>What a preview counted on <see cref="DataDate"/>: the audience's size, breakdowns and a masked sample.</summary>
public sealed record AudiencePreview(DateOnly DataDate, long TotalCount, PreviewBreakdowns Breakdowns, IReadOnlyList<PreviewPerson> Sample);
