using System.Globalization;
using Npgsql;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// <c>./intent bench telemetry</c>: what OpenTelemetry costs the API. Two API processes, one with telemetry
/// as deployed (traces and metrics recorded, <c>/metrics</c> served) and one with <c>OTEL_SDK_DISABLED=true</c>,
/// take turns at POST /runs with the same closed-loop concurrency in short phases (on, off, off, on, ...), each
/// after a checkpoint, so that drifts of the machine's speed fall on both; the ratio is the median over the pairs of on/off runs/s.
/// </summary>
public sealed class TelemetryBenchmark(BenchSettings settings)
{
    private const int Concurrency = 16;
    private const int Pairs = 12;
    private const int Audiences = 150_000;
    private const double Target = 0.95;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PhaseDuration = TimeSpan.FromSeconds(8);

    public async Task RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        Say($"preparing an organization, a token and {Audiences:N0} audiences (INSERT ... SELECT)");
        var token = await RunsLoad.PrepareAsync(dataSource, Audiences);
        var load = new RunsLoad(await RunsLoad.AudiencesAsync(dataSource, after: 0));

        Say("starting the API twice: telemetry on (as deployed), telemetry off (OTEL_SDK_DISABLED=true)");
        await using var on = await ApiProcess.StartAsync(settings, new Dictionary<string, string?> { ["OTEL_SDK_DISABLED"] = null });
        await using var off = await ApiProcess.StartAsync(settings, new Dictionary<string, string?> { ["OTEL_SDK_DISABLED"] = "true" });
        using var onClient = RunsLoad.Client(on.BaseAddress, token, Concurrency);
        using var offClient = RunsLoad.Client(off.BaseAddress, token, Concurrency);

        Say($"warm-up: {WarmUp.TotalSeconds:N0} s each");
        await load.ClosedLoopAsync(onClient, Concurrency, WarmUp);
        await load.ClosedLoopAsync(offClient, Concurrency, WarmUp);

        var pairs = new List<(Phase On, Phase Off)>();
        for (var pair = 1; pair <= Pairs; pair++)
        {
            // Every other pair starts with telemetry off, so a steady drift favours neither side.
            Phase first, second;
            if (pair % 2 == 1)
            {
                first = await PhaseAsync(dataSource, load, on, onClient, $"pair {pair}: telemetry on");
                second = await PhaseAsync(dataSource, load, off, offClient, $"pair {pair}: telemetry off");
                pairs.Add((first, second));
            }
            else
            {
                first = await PhaseAsync(dataSource, load, off, offClient, $"pair {pair}: telemetry off");
                second = await PhaseAsync(dataSource, load, on, onClient, $"pair {pair}: telemetry on");
                pairs.Add((second, first));
            }

            Say($"pair {pair}: {pairs[^1].On.Measured.Rate:N0} vs {pairs[^1].Off.Measured.Rate:N0} runs/s, {pairs[^1].On.Measured.Rate / pairs[^1].Off.Measured.Rate:N3}");
        }

        var onMetrics = await MetricsAsync(onClient);
        var offMetrics = await MetricsAsync(offClient);
        var ratio = Median(pairs.Select(p => p.On.Measured.Rate / p.Off.Measured.Rate));
        var allOn = Measured.Pooled([.. pairs.Select(p => p.On.Measured)]);
        var allOff = Measured.Pooled([.. pairs.Select(p => p.Off.Measured)]);
        var cpuOn = Median(pairs.Select(p => p.On.CpuPerRun));
        var cpuOff = Median(pairs.Select(p => p.Off.CpuPerRun));

        Console.WriteLine();
        Console.WriteLine($"| POST runs/s, {Concurrency} in flight, {PhaseDuration.TotalSeconds:N0} s a phase | telemetry on | telemetry off | on / off |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        for (var i = 0; i < pairs.Count; i++)
        {
            var (measuredOn, measuredOff) = (pairs[i].On.Measured, pairs[i].Off.Measured);
            Console.WriteLine($"| pair {i + 1} ({measuredOn.Errors + measuredOff.Errors} errors) | {measuredOn.Rate:N0} | {measuredOff.Rate:N0} | {measuredOn.Rate / measuredOff.Rate:N3} |");
        }

        Console.WriteLine($"| median of the pairs | | | {ratio:N3} |");
        Console.WriteLine($"| all phases together | {allOn.Rate:N0} | {allOff.Rate:N0} | {allOn.Rate / allOff.Rate:N3} |");
        Console.WriteLine($"| p50 / p99 ms at that rate ({allOn.Count:N0} and {allOff.Count:N0} runs) | {allOn.P50:N1} / {allOn.P99:N1} | {allOff.P50:N1} / {allOff.P99:N1} | |");
        Console.WriteLine($"| the API process's CPU time per run, median of the phases | {cpuOn:N2} ms | {cpuOff:N2} ms | {cpuOn / cpuOff:N3} |");
        Console.WriteLine();
        Console.WriteLine($"/metrics: telemetry on {onMetrics.Length:N0} bytes, telemetry off {offMetrics.Length:N0} bytes");
        Console.WriteLine($"target: >= {Target:N2} x telemetry off: {(ratio >= Target ? "met" : "MISSED")} ({Environment.ProcessorCount} cores, {DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})");
    }

    // Each phase starts from the same tables (no runs, an empty outbox) and right after a checkpoint, so that
    // no phase pays for a checkpoint's writes or the full-page images that follow one and its partner does not.
    private static async Task<Phase> PhaseAsync(NpgsqlDataSource dataSource, RunsLoad load, ApiProcess api, HttpClient client, string name)
    {
        foreach (var sql in new[] { "TRUNCATE outbox_message, outbox_state", "DELETE FROM audience_runs", "VACUUM ANALYZE audience_runs", "CHECKPOINT" })
        {
            await using var command = dataSource.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        }

        Say($"{name}, POST /runs, {Concurrency} at a time, {PhaseDuration.TotalSeconds:N0} s");
        var cpu = api.CpuTime;
        var measured = await load.ClosedLoopAsync(client, Concurrency, PhaseDuration);
        return new Phase(measured, (api.CpuTime - cpu).TotalMilliseconds / Math.Max(1, measured.Count));
    }

    private static async Task<string> MetricsAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        return await response.Content.ReadAsStringAsync();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void Say(string line) => Console.WriteLine($"-- {line}");

    private sealed record Phase(Measured Measured, double CpuPerRun);
}
