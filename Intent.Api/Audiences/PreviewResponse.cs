using Intent.Pipeline.Audiences;
using Intent.Pipeline.Previews;

namespace Intent.Api.Audiences;

/// <summary><c>data</c> of <c>POST /v1/intent/audiences/preview</c>.</summary>
public sealed record PreviewResponse(
    string ConfigHash,
    DateOnly DataDate,
    string Strategy,
    long TotalCount,
    PreviewBreakdowns Breakdowns,
    IReadOnlyList<PreviewPerson> Sample,
    IReadOnlyList<AppliedFilter> AppliedFilters);
