using Intent.Data;
using Intent.Pipeline.Audiences;
using Intent.ServiceDefaults.Envelope;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Intent.Api.Audiences;

/// <summary>
/// <c>GET /v1/intent/audiences/filters</c>: every filter a config may use, by group, as <see cref="FilterCatalog"/> defines
/// it, with the value counts <see cref="FilterCatalogRefresh"/> stored when people were last loaded (one indexed read, no
/// counting per request; reused by the process for <see cref="FilterCatalogOptions.CacheTtl"/>).
/// </summary>
public static class FilterCatalogEndpoint
{
    private static readonly string[] Modes = ["any", "all"];

    public static void Map(RouteGroupBuilder audiences) =>
        audiences.MapGet("/filters", GetCatalog).WithName("GetFilterCatalog")
            .WithSummary("The filter catalog: groups, filters, their operators and values with people counts");

    /// <summary>The catalog and <see cref="FilterCatalogOptions"/>, checked at start.</summary>
    public static IServiceCollection AddFilterCatalog(this IServiceCollection services)
    {
        services.AddOptions<FilterCatalogOptions>().BindConfiguration(FilterCatalogOptions.SectionName)
            .Validate(o => o.CacheTtl >= TimeSpan.Zero, "FilterCatalog:CacheTtl must not be negative")
            .ValidateOnStart();
        services.AddSingleton<FilterCatalogCache>();
        return services;
    }

    public static async Task<Ok<DataEnvelope<FilterCatalogResponse>>> GetCatalog(
        HttpContext http, IntentDbContext db, FilterCatalogCache cache, CancellationToken cancellationToken) =>
        TypedResults.Ok(http.Envelope(cache.Get() ?? cache.Set(await ReadAsync(db, cancellationToken))));

    private static async Task<FilterCatalogResponse> ReadAsync(IntentDbContext db, CancellationToken cancellationToken)
    {
        Build? build = null;
        var values = new Dictionary<string, List<FilterCatalogResponse.Value>>(StringComparer.Ordinal);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
                         """
                         SELECT b.build_id, b.catalog_version, b.people_count, b.built_at, v.filter_key, v.value, v.label, v.count
                         FROM filter_catalog_builds b LEFT JOIN filter_catalog_values v ON v.build = b.id
                         WHERE b.id = (SELECT max(id) FROM filter_catalog_builds)
                         ORDER BY v.filter_key, v.position
                         """, (NpgsqlConnection)db.Database.GetDbConnection()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                build ??= new Build(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTime>(3));
                if (reader.IsDBNull(4))
                {
                    continue;
                }

                var key = reader.GetString(4);
                var text = reader.GetString(5);
                var isFlag = FilterCatalog.Filters.TryGetValue(key, out var definition) && definition.Kind == FilterKind.Boolean;
                if (!values.TryGetValue(key, out var list))
                {
                    values[key] = list = [];
                }

                list.Add(new(isFlag ? text == "true" : text, reader.GetString(6), reader.GetInt64(7)));
            }
        }

        var groups = FilterCatalog.Groups.Select(g => new FilterCatalogResponse.Group(g.Key, g.Label, g.Description,
            [.. FilterCatalog.All.Where(f => f.Group == g.Key).Select(f => Describe(f, build is null ? null : values.GetValueOrDefault(f.Key) ?? []))])).ToList();
        var filters = groups.SelectMany(g => g.Filters).ToList();
        var version = new FilterCatalogResponse.BuildVersion(
            build is null ? "static_fallback" : "catalog", "people_traits", "filter_catalog_values", build?.CatalogVersion ?? FilterCatalogRefresh.CatalogVersion,
            build?.Id, build is null ? null : DateOnly.FromDateTime(build.BuiltAt), build?.BuiltAt, build?.People);
        var summary = new FilterCatalogResponse.CatalogSummary(
            groups.Count, filters.Count, filters.Sum(f => f.Values?.Count ?? 0),
            filters.Count(f => f.Ui.Section == "recommended"), filters.Count(f => f.Ui.Section == "standard"), filters.Count(f => f.Ui.Section == "advanced"),
            SupportsAdvancedLogic: false, DefaultFieldLogic: "and");
        return new FilterCatalogResponse(version, summary, groups);
    }

    private static FilterCatalogResponse.Filter Describe(FilterDefinition filter, List<FilterCatalogResponse.Value>? values)
    {
        var section = SnakeCaseNames.Of(filter.Section);
        var listed = filter.Kind == FilterKind.Boolean || filter.ListsValues;
        return new(
            filter.Key,
            filter.Label,
            filter.Type,
            filter.ValueType,
            [filter.Operator],
            filter.Kind == FilterKind.Values ? Modes : null,
            listed ? values : null,
            new(filter.Label, filter.Description, filter.Control, section, filter.Section == FilterSection.Recommended, filter.Section == FilterSection.Advanced,
                filter.Placeholder, filter.HelperText),
            filter.Column,
            filter.Aliases.Count > 0 ? filter.Aliases : null);
    }

    private sealed record Build(string Id, string CatalogVersion, long People, DateTime BuiltAt);
}
