namespace Intent.Pipeline.Previews;

/// <summary>How audience previews run (configuration section <c>Previews</c>).</summary>
public sealed class PreviewOptions
{
    public const string SectionName = "Previews";

    /// <summary>Longest a preview's statement may run; a longer one is cancelled and answered 503 <c>PREVIEW_TIMEOUT</c>.</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>People in a preview's <c>sample</c> (1–50), the best first.</summary>
    public int SampleSize { get; set; } = 10;

    /// <summary>Values in each of a preview's <c>breakdowns</c> (1–100), the most common first.</summary>
    public int BreakdownSize { get; set; } = 10;
}
