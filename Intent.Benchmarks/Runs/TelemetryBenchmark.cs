using System.Globalization;
using Npgsql;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// <c>./intent bench telemetry</c>: what OpenTelemetry costs the API. Three API processes take turns at POST /runs
/// with the same closed-loop concurrency in short phases, each after a checkpoint, in an order that rotates every
/// round so that drifts of the machine's speed fall on all of them: telemetry as deployed (metrics recorded,
/// <c>/metrics</c> served, no OTLP endpoint, so no span recorded), the same exporting traces, metrics and logs over
/// OTLP/HTTP to a sink in this process (every span recorded: the SDK's default sampling), and
/// <c>OTEL_SDK_DISABLED=true</c>. Each ratio is the median over the rounds of that round's rates.
/// </summary>
public sealed class TelemetryBenchmark(BenchSettings settings)
{
    private const int Concurrency = 16;
    private const int Rounds = 12;
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
        await using var sink = await OtlpSink.StartAsync();

        Say($"starting the API three times: as deployed, exporting over OTLP to {sink.Endpoint}, telemetry off (OTEL_SDK_DISABLED=true)");
        Variant[] variants =
        [
            await Variant.StartAsync(settings, token, "as deployed", new() { ["OTEL_SDK_DISABLED"] = null, ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null, ["OTEL_TRACES_SAMPLER"] = null }),
            await Variant.StartAsync(settings, token, "exporting", new()
            {
                ["OTEL_SDK_DISABLED"] = null, ["OTEL_TRACES_SAMPLER"] = null,
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.Endpoint, ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            }),
            await Variant.StartAsync(settings, token, "off", new() { ["OTEL_SDK_DISABLED"] = "true" }),
        ];
        var (deployed, exporting, off) = (variants[0], variants[1], variants[2]);
        try
        {
            foreach (var variant in variants)
            {
                Say($"warm-up, {variant.Name}: {WarmUp.TotalSeconds:N0} s");
                await load.ClosedLoopAsync(variant.Client, Concurrency, WarmUp);
            }

            for (var round = 0; round < Rounds; round++)
            {
                for (var turn = 0; turn < variants.Length; turn++)
                {
                    var variant = variants[(round + turn) % variants.Length];
                    variant.Phases.Add(await PhaseAsync(dataSource, load, variant, $"round {round + 1}: {variant.Name}"));
                }

                Say($"round {round + 1}: {deployed.Phases[^1].Measured.Rate:N0} / {exporting.Phases[^1].Measured.Rate:N0} / {off.Phases[^1].Measured.Rate:N0} runs/s");
            }

            var deployedMetrics = await MetricsAsync(deployed.Client);
            var offMetrics = await MetricsAsync(off.Client);
            var deployedRatio = Median(Enumerable.Range(0, Rounds).Select(r => deployed.Rate(r) / off.Rate(r)));
            var exportingRatio = Median(Enumerable.Range(0, Rounds).Select(r => exporting.Rate(r) / off.Rate(r)));

            Console.WriteLine();
            Console.WriteLine($"| POST runs/s, {Concurrency} in flight, {PhaseDuration.TotalSeconds:N0} s a phase | as deployed | exporting over OTLP | telemetry off | deployed / off | exporting / off |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            for (var r = 0; r < Rounds; r++)
            {
                var errors = variants.Sum(v => v.Phases[r].Measured.Errors);
                Console.WriteLine($"| round {r + 1} ({errors} errors) | {deployed.Rate(r):N0} | {exporting.Rate(r):N0} | {off.Rate(r):N0} | {deployed.Rate(r) / off.Rate(r):N3} | {exporting.Rate(r) / off.Rate(r):N3} |");
            }

            Console.WriteLine($"| median of the rounds | | | | {deployedRatio:N3} | {exportingRatio:N3} |");
            var all = variants.Select(v => Measured.Pooled([.. v.Phases.Select(p => p.Measured)])).ToArray();
            Console.WriteLine($"| all phases together | {all[0].Rate:N0} | {all[1].Rate:N0} | {all[2].Rate:N0} | {all[0].Rate / all[2].Rate:N3} | {all[1].Rate / all[2].Rate:N3} |");
            Console.WriteLine($"| p50 / p99 ms at that rate | {all[0].P50:N1} / {all[0].P99:N1} | {all[1].P50:N1} / {all[1].P99:N1} | {all[2].P50:N1} / {all[2].P99:N1} | | |");
            var cpu = variants.Select(v => Median(v.Phases.Select(p => p.CpuPerRun))).ToArray();
            Console.WriteLine($"| the API process's CPU time per run, median of the phases | {cpu[0]:N3} ms | {cpu[1]:N3} ms | {cpu[2]:N3} ms | {cpu[0] / cpu[2]:N3} | {cpu[1] / cpu[2]:N3} |");
            Console.WriteLine();
            Console.WriteLine($"/metrics: as deployed {deployedMetrics.Length:N0} bytes, telemetry off {offMetrics.Length:N0} bytes; the OTLP sink took {sink.Requests:N0} exports, {sink.Bytes:N0} bytes");
            Console.WriteLine($"target: as deployed >= {Target:N2} x telemetry off: {(deployedRatio >= Target ? "met" : "MISSED")}; exporting every span: {exportingRatio:N2} x ({Environment.ProcessorCount} cores, {DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})");
        }
        finally
        {
            foreach (var variant in variants)
            {
                await variant.DisposeAsync();
            }
        }
    }

    // Each phase starts from the same tables (no runs, an empty outbox) and right after a checkpoint, so that
    // no phase pays for a checkpoint's writes or the full-page images that follow one and another does not.
    private static async Task<Phase> PhaseAsync(NpgsqlDataSource dataSource, RunsLoad load, Variant variant, string name)
    {
        foreach (var sql in new[] { "TRUNCATE outbox_message, outbox_state", "DELETE FROM audience_runs", "VACUUM ANALYZE audience_runs", "CHECKPOINT" })
        {
            await using var command = dataSource.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        }

        Say($"{name}, POST /runs, {Concurrency} at a time, {PhaseDuration.TotalSeconds:N0} s");
        var cpu = variant.Api.CpuTime;
        var measured = await load.ClosedLoopAsync(variant.Client, Concurrency, PhaseDuration);
        return new Phase(measured, (variant.Api.CpuTime - cpu).TotalMilliseconds / Math.Max(1, measured.Count));
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

    /// <summary>One API process with its telemetry settings, its client and its phases.</summary>
    private sealed class Variant(string name, ApiProcess api, HttpClient client) : IAsyncDisposable
    {
        public string Name => name;

        public ApiProcess Api => api;

        public HttpClient Client => client;

        public List<Phase> Phases { get; } = [];

        public double Rate(int round) => Phases[round].Measured.Rate;

        public static async Task<Variant> StartAsync(BenchSettings settings, string token, string name, Dictionary<string, string?> environment)
        {
            var api = await ApiProcess.StartAsync(settings, environment);
            return new Variant(name, api, RunsLoad.Client(api.BaseAddress, token, Concurrency));
        }

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            await api.DisposeAsync();
        }
    }
}
