using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Intent.Pipeline.Runs;
using Npgsql;

namespace Intent.Pipeline.Audiences;

/// <summary>
/// Builds the filter catalog's value counts from the people store, set-based inside PostgreSQL, in the caller's
/// transaction: for every filter that lists values, how many people have each (lower-cased) value, from one scan
/// of <c>people_traits</c> with a grouping set per column; for every flag, how many people each of <c>true</c> and
/// <c>false</c> selects, counted with the very conditions <see cref="FilterSql"/> compiles for runs. The build
/// replaces the previous one in <c>filter_catalog_builds</c> and <c>filter_catalog_values</c>. Called wherever people
/// or intent data are loaded (seed, import, the benchmarks' loaders), never per request.
/// </summary>
public static class FilterCatalogRefresh
{
    /// <summary>The most values the catalog lists for one filter, the most common first.</summary>
    public const int MaxValuesPerFilter = 500;

    /// <summary>A hash of the filter definitions the counts are computed for: the catalog's <c>catalogVersion</c>.</summary>
    public static string CatalogVersion { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n",
        FilterCatalog.All.Select(f => $"{f.Key}|{f.Kind}|{f.Match}|{f.Column}|{f.Pattern}|{f.ListsValues}")))))[..16];

    public sealed record Build(int Id, string BuildId, long People, long Values);

    /// <summary>Counts in <paramref name="transaction"/>, or, without one, in a transaction of its own that it commits.</summary>
    public static async Task<Build> RefreshAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken = default)
    {
        if (transaction is not null)
        {
            return await RefreshInAsync(connection, transaction, cancellationToken);
        }

        await using var own = await connection.BeginTransactionAsync(cancellationToken);
        var build = await RefreshInAsync(connection, own, cancellationToken);
        await own.CommitAsync(cancellationToken);
        return build;
    }

    private static async Task<Build> RefreshInAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // Refreshes one after another; readers are not blocked.
        await ExecuteAsync(connection, transaction, "LOCK TABLE filter_catalog_builds IN SHARE ROW EXCLUSIVE MODE", [], cancellationToken);
        int id;
        await using (var insert = new NpgsqlCommand(
                         """
                         INSERT INTO filter_catalog_builds (build_id, catalog_version, people_count, built_at)
                         VALUES ('', @version, (SELECT count(*) FROM people_traits), now()) RETURNING id
                         """, connection, transaction))
        {
            insert.Parameters.AddWithValue("version", CatalogVersion);
            id = (int)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        var listed = FilterCatalog.All.Where(f => f.ListsValues).ToList();
        if (listed.Count > 0)
        {
            await ExecuteAsync(connection, transaction, ValueCountsSql(listed), [new("build", id)], cancellationToken);
        }

        var flags = FilterCatalog.All.Where(f => f.Kind == FilterKind.Boolean).ToList();
        if (flags.Count > 0)
        {
            var (sql, parameters) = FlagCountsSql(flags);
            parameters.Add(new("build", id));
            await ExecuteAsync(connection, transaction, sql, parameters, cancellationToken);
        }

        await using var finish = new NpgsqlCommand(
            """
            UPDATE filter_catalog_builds b
            SET build_id = left(md5(b.catalog_version || coalesce(
                    (SELECT string_agg(v.filter_key || '|' || v.value || '|' || v.count, ',' ORDER BY v.filter_key, v.position)
                     FROM filter_catalog_values v WHERE v.build = b.id), '')), 16)
            WHERE b.id = @build;
            DELETE FROM filter_catalog_builds WHERE id <> @build;
            SELECT b.build_id, b.people_count, (SELECT count(*) FROM filter_catalog_values v WHERE v.build = b.id)
            FROM filter_catalog_builds b WHERE b.id = @build;
            """, connection, transaction) { CommandTimeout = 0 };
        finish.Parameters.AddWithValue("build", id);
        await using var reader = await finish.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new Build(id, reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    // One scan: each grouping set counts one column's codes; codes of one lower-cased value are added up and
    // labelled with their most common spelling.
    private static string ValueCountsSql(List<FilterDefinition> listed)
    {
        var columns = listed.Select(f => f.Column).Distinct().ToList();
        var attribute = string.Join(" ", columns.Select(c => $"WHEN GROUPING(p.{c}) = 0 THEN '{c}'"));
        var filters = string.Join(", ", listed.Select(f => $"('{f.Key}', '{f.Column}')"));
        return $"""
            INSERT INTO filter_catalog_values (build, filter_key, position, value, label, count)
            SELECT @build, r.filter_key, r.position, r.value, r.label, r.count
            FROM (
                SELECT k.filter_key, lower(v.value) AS value, (array_agg(v.value ORDER BY c.people DESC, v.value))[1] AS label,
                       sum(c.people)::bigint AS count,
                       row_number() OVER (PARTITION BY k.filter_key ORDER BY sum(c.people) DESC, lower(v.value)) AS position
                FROM (
                    SELECT CASE {attribute} END AS attribute, coalesce({string.Join(", ", columns.Select(c => $"p.{c}"))}) AS code, count(*) AS people
                    FROM people_traits p
                    GROUP BY GROUPING SETS ({string.Join(", ", columns.Select(c => $"(p.{c})"))})
                ) c
                JOIN person_values v ON v.code = c.code
                JOIN (VALUES {filters}) k (filter_key, attribute) ON k.attribute = c.attribute
                GROUP BY k.filter_key, lower(v.value)
            ) r
            WHERE r.position <= {MaxValuesPerFilter}
            """;
    }

    private static (string Sql, List<NpgsqlParameter> Parameters) FlagCountsSql(List<FilterDefinition> flags)
    {
        var counts = new List<string>();
        var rows = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        for (var i = 0; i < flags.Count; i++)
        {
            foreach (var (flag, position) in new[] { (true, 1), (false, 2) })
            {
                var name = $"c{counts.Count}";
                var filter = new Dictionary<string, AudienceFilter> { [flags[i].Key] = new(FilterKind.Boolean, [], FilterMode.Any, flag) };
                var (where, filterParameters) = FilterSql.Build(filter, $"{name}_");
                counts.Add($"count(*) FILTER (WHERE {where}) AS {name}");
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"('{flags[i].Key}', {position}, '{(flag ? "true" : "false")}', '{(flag ? "Yes" : "No")}', a.{name})"));
                parameters.AddRange(filterParameters);
            }
        }

        var sql = $"""
            INSERT INTO filter_catalog_values (build, filter_key, position, value, label, count)
            SELECT @build, x.filter_key, x.position, x.value, x.label, x.count
            FROM (SELECT {string.Join(", ", counts)} FROM people_traits p) a
            CROSS JOIN LATERAL (VALUES {string.Join(", ", rows)}) x (filter_key, position, value, label, count)
            """;
        return (sql, parameters);
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, List<NpgsqlParameter> parameters, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.AddRange(parameters.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
