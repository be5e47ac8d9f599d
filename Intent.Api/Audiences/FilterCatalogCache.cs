using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Intent.Api.Audiences;

/// <summary>
/// The catalog this process read last, reused for <see cref="FilterCatalogOptions.CacheTtl"/>: a catalog request then needs
/// neither the database nor any building, only serialization. Concurrent misses may each read it; the last one stays.
/// </summary>
public sealed class FilterCatalogCache(IOptions<FilterCatalogOptions> options)
{
    private readonly long _ttlTicks = (long)(options.Value.CacheTtl.TotalSeconds * Stopwatch.Frequency);
    private Entry? _entry;

    public FilterCatalogResponse? Get() =>
        Volatile.Read(ref _entry) is { } entry && Stopwatch.GetTimestamp() < entry.Expires ? entry.Catalog : null;

    public FilterCatalogResponse Set(FilterCatalogResponse catalog)
    {
        if (_ttlTicks > 0)
        {
            Volatile.Write(ref _entry, new Entry(catalog, Stopwatch.GetTimestamp() + _ttlTicks));
        }

        return catalog;
    }

    private sealed record Entry(FilterCatalogResponse Catalog, long Expires);
}
