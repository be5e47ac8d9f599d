using System.Globalization;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// The API process's own metrics (its <c>/metrics</c>, Prometheus text) at one moment, so that a phase of load
/// can say where its time went: garbage collections and their pauses, JIT, the thread pool, lock contention,
/// and the server's and the database client's own durations.
/// </summary>
public sealed class ApiRuntimeStats
{
    private readonly Dictionary<string, double> _series;

    private ApiRuntimeStats(Dictionary<string, double> series) => _series = series;

    public static async Task<ApiRuntimeStats> ScrapeAsync(Uri baseAddress)
    {
        using var client = new HttpClient { BaseAddress = baseAddress };
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var series = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                series[line[..space]] = value;
            }
        }

        return new ApiRuntimeStats(series);
    }

    /// <summary>Time the JIT spent compiling since <paramref name="before"/>.</summary>
    public TimeSpan JitSince(ApiRuntimeStats before) =>
        TimeSpan.FromSeconds(Sum("dotnet_jit_compilation_time_seconds_total") - before.Sum("dotnet_jit_compilation_time_seconds_total"));

    /// <summary>What happened between <paramref name="before"/> and this scrape, as one line.</summary>
    public string Since(ApiRuntimeStats before, int requests)
    {
        double Delta(string prefix, string? label = null) => Sum(prefix, label) - before.Sum(prefix, label);
        var serverCount = Delta("http_server_request_duration_seconds_count");
        var dbCount = Delta("db_client_operation_duration_seconds_count");
        return string.Create(CultureInfo.InvariantCulture,
            $"GC gen0/gen1/gen2 {Delta("dotnet_gc_collections_total", "gen0"):N0}/{Delta("dotnet_gc_collections_total", "gen1"):N0}/{Delta("dotnet_gc_collections_total", "gen2"):N0}, " +
            $"GC paused {Delta("dotnet_gc_pause_time_seconds_total") * 1000:N0} ms in all; JIT {Delta("dotnet_jit_compilation_time_seconds_total") * 1000:N0} ms; " +
            $"thread pool threads {Sum("dotnet_thread_pool_thread_count"):N0}, work items queued {Delta("dotnet_thread_pool_queue_length_total"):N0}; " +
            $"lock contentions {Delta("dotnet_monitor_lock_contentions_total"):N0}; " +
            $"server p99 <= {ServerP99(before):N0} ms (histogram bucket), mean {Delta("http_server_request_duration_seconds_sum") * 1000 / Math.Max(1, serverCount):N1} ms; " +
            $"database calls {dbCount / Math.Max(1, requests):N1} a request, mean {Delta("db_client_operation_duration_seconds_sum") * 1000 / Math.Max(1, dbCount):N1} ms; " +
            $"CPU {Delta("dotnet_process_cpu_time_seconds_total") * 1000 / Math.Max(1, requests):N2} ms a request");
    }

    private double Sum(string prefix, string? label = null) =>
        _series.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal) && (label is null || s.Key.Contains($"\"{label}\"", StringComparison.Ordinal)))
            .Sum(s => s.Value);

    // The smallest bucket bound of POST /runs' duration histogram that holds 99% of this phase's requests.
    private double ServerP99(ApiRuntimeStats before)
    {
        var buckets = _series.Where(s => s.Key.StartsWith("http_server_request_duration_seconds_bucket{", StringComparison.Ordinal)
                && s.Key.Contains("http_request_method=\"POST\"", StringComparison.Ordinal))
            .Select(s => (Bound: Bound(s.Key), Count: s.Value - before._series.GetValueOrDefault(s.Key)))
            .GroupBy(b => b.Bound).Select(g => (Bound: g.Key, Count: g.Sum(b => b.Count))).OrderBy(b => b.Bound).ToList();
        var total = buckets.Count == 0 ? 0 : buckets[^1].Count;
        return total == 0 ? 0 : buckets.First(b => b.Count >= 0.99 * total).Bound * 1000;
    }

    private static double Bound(string key)
    {
        var start = key.IndexOf("le=\"", StringComparison.Ordinal) + 4;
        var value = key[start..key.IndexOf('"', start)];
        return value == "+Inf" ? double.PositiveInfinity : double.Parse(value, CultureInfo.InvariantCulture);
    }
}
