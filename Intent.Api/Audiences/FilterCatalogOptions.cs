namespace Intent.Api.Audiences;

/// <summary>How the API serves the filter catalog (configuration section <c>FilterCatalog</c>).</summary>
public sealed class FilterCatalogOptions
{
    public const string SectionName = "FilterCatalog";

    /// <summary>How long each API process reuses the catalog it read; a new build shows at most this late. Zero reads it on every request.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(5);
}
