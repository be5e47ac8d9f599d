namespace Intent.Pipeline.Audiences;

/// <summary>Where a builder UI shows a filter: up front, in the usual list, or behind "advanced".</summary>
public enum FilterSection
{
    Recommended,
    Standard,
    Advanced,
}
