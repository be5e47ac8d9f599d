using System.Diagnostics;
using Npgsql;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// <c>./intent bench api</c>: POST runs/s of the real API process at fixed concurrency across many audiences,
/// beside pgbench running the same run + outbox insert transaction straight against PostgreSQL with as many
/// clients, once the API's tiered compilation has settled (on a busy small machine that takes a minute or more,
/// during which a request costs several times the CPU), then latency at half the API's rate beside pgbench held to that same rate (<c>-R</c>). Every phase
/// starts from empty run and outbox tables after a checkpoint, so each side meets the same database. Then a relay
/// process (as a worker relays) drains what was written, and the API runs again beside it.
/// </summary>
public sealed class ApiBenchmark(BenchSettings settings)
{
    private const int Concurrency = 16;
    private const int ApiAudiences = 150_000;
    private const int PgbenchAudiences = 200_000;
    private static readonly TimeSpan PhaseDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WarmUpStep = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan SettledJit = TimeSpan.FromMilliseconds(50);

    public async Task RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        Say($"API benchmark on {Environment.ProcessorCount} cores; preparing an organization, a token and {ApiAudiences + PgbenchAudiences:N0} audiences (INSERT ... SELECT)");
        var token = await RunsLoad.PrepareAsync(dataSource, ApiAudiences + PgbenchAudiences);

        // Autovacuum would otherwise take up the new audiences during whichever phase it falls into.
        await Execute(dataSource, "VACUUM ANALYZE audiences");

        Say($"raw: pgbench, {Concurrency} clients, {PhaseDuration.TotalSeconds:N0} s, run + outbox state + outbox message insert per transaction");
        await FreshAsync(dataSource);
        var raw = await Pgbench.RunAsync(settings.ConnectionString, Script, Concurrency, PhaseDuration, protocol: "simple");

        await using var api = await ApiProcess.StartAsync(settings);
        using var client = RunsLoad.Client(api.BaseAddress, token, Concurrency);
        var load = new RunsLoad(await RunsLoad.AudiencesAsync(dataSource, after: PgbenchAudiences));

        // First the API alone, doing what pgbench does (the run and its outbox rows, committed), with
        // the outbox left for later; then the relay drains it; then both together, as one box runs them.
        Say("ours: warm-up until the API's JIT has settled (tiered compilation done)");
        var warm = Stopwatch.StartNew();
        while (true)
        {
            var jitBefore = await ApiRuntimeStats.ScrapeAsync(api.BaseAddress);
            await load.ClosedLoopAsync(client, Concurrency, WarmUpStep);
            var jit = (await ApiRuntimeStats.ScrapeAsync(api.BaseAddress)).JitSince(jitBefore);
            if (jit < SettledJit || warm.Elapsed > MaxWarmUp)
            {
                Say($"ours: warmed up in {warm.Elapsed.TotalSeconds:N0} s (JIT {jit.TotalMilliseconds:N0} ms in the last {WarmUpStep.TotalSeconds:N0} s)");
                break;
            }
        }

        Say($"ours: POST /runs, {Concurrency} at a time, {PhaseDuration.TotalSeconds:N0} s, outbox relay not running");
        await FreshAsync(dataSource);
        var cpu = api.CpuTime;
        var max = await load.ClosedLoopAsync(client, Concurrency, PhaseDuration);
        var cpuPerRun = (api.CpuTime - cpu).TotalMilliseconds / max.Count;

        var half = Math.Round(max.Rate / 2);
        Say($"raw: pgbench at half that rate (-R {half:N0}), {Concurrency} clients, {PhaseDuration.TotalSeconds:N0} s");
        await FreshAsync(dataSource);
        var rawSteady = await Pgbench.RunAsync(settings.ConnectionString, Script, Concurrency, PhaseDuration, rate: half, logLatencies: true, protocol: "simple");
        Say($"ours: POST /runs at half that rate ({half:N0}/s), {PhaseDuration.TotalSeconds:N0} s after {WarmUpStep.TotalSeconds:N0} s at that rate, outbox relay not running");
        await load.OpenLoopAsync(client, half, WarmUpStep);
        await FreshAsync(dataSource);
        var before = await ApiRuntimeStats.ScrapeAsync(api.BaseAddress);
        var steady = await load.OpenLoopAsync(client, half, PhaseDuration);
        var during = (await ApiRuntimeStats.ScrapeAsync(api.BaseAddress)).Since(before, steady.Count);
        Say($"the API process during that phase: {during}");

        var pending = await Count(dataSource, "SELECT count(*) FROM outbox_message");
        Say($"relay: a worker-like process delivers the {pending:N0} messages written");
        var drainWatch = Stopwatch.StartNew();
        await using var relay = await Outbox.RelayProcess.StartAsync();
        while (await Count(dataSource, "SELECT count(*) FROM outbox_message") > 0)
        {
            await Task.Delay(100);
        }

        var drain = pending / drainWatch.Elapsed.TotalSeconds;
        Say($"ours: POST /runs, {Concurrency} at a time, {PhaseDuration.TotalSeconds:N0} s, relay running beside it");
        var shared = await load.ClosedLoopAsync(client, Concurrency, PhaseDuration);
        var sharedHalf = Math.Round(shared.Rate / 2);
        Say($"ours: POST /runs at half that rate ({sharedHalf:N0}/s), {PhaseDuration.TotalSeconds:N0} s, relay running beside it");
        var sharedSteady = await load.OpenLoopAsync(client, sharedHalf, PhaseDuration);

        Console.WriteLine();
        Console.WriteLine("| measure | value | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| pgbench: run + outbox insert transactions/s ({Concurrency} clients) | {raw.Tps:N0} | 1.00 |");
        Console.WriteLine($"| API: POST runs/s ({Concurrency} concurrent, {max.Count:N0} runs, {max.Errors} errors; API CPU {cpuPerRun:N2} ms a run) | {max.Rate:N0} | {max.Rate / raw.Tps:N2} |");
        Console.WriteLine($"| API at max rate: p50 / p99 ms | {max.P50:N1} / {max.P99:N1} | |");
        Console.WriteLine($"| pgbench -R {half:N0}: p50 / p99 ms ({rawSteady.Latencies.Length:N0} transactions) | {rawSteady.P50:N1} / {rawSteady.P99:N1} | 1.00 |");
        Console.WriteLine($"| API at {half:N0}/s: p50 / p99 ms ({steady.Count:N0} runs, {steady.Errors} errors) | {steady.P50:N1} / {steady.P99:N1} | p99 {steady.P99 / rawSteady.P99:N2} |");
        Console.WriteLine($"| relay: messages delivered/s draining the {pending:N0} written | {drain:N0} | |");
        Console.WriteLine($"| API with the relay running on the same {Environment.ProcessorCount} cores: POST runs/s ({shared.Count:N0} runs, {shared.Errors} errors) | {shared.Rate:N0} | {shared.Rate / raw.Tps:N2} |");
        Console.WriteLine($"| API at {sharedHalf:N0}/s with the relay running: p50 / p99 ms ({sharedSteady.Count:N0} runs, {sharedSteady.Errors} errors) | {sharedSteady.P50:N1} / {sharedSteady.P99:N1} | |");
        Console.WriteLine();
        Console.WriteLine($"targets: >= 0.7 x pgbench's rate: {(max.Rate / raw.Tps >= 0.7 ? "met" : "MISSED")}; " +
            $"p99 at half rate <= 2 x pgbench's at that rate: {(steady.P99 <= 2 * rawSteady.P99 ? "met" : "MISSED")}");
    }

    /// <summary>Empty run and outbox tables, vacuumed, and a checkpoint, so every phase meets the same database.</summary>
    private static async Task FreshAsync(NpgsqlDataSource dataSource)
    {
        foreach (var sql in new[] { "TRUNCATE outbox_message, outbox_state", "TRUNCATE audience_runs CASCADE", "VACUUM ANALYZE audience_runs", "CHECKPOINT" })
        {
            await Execute(dataSource, sql);
        }
    }

    private static async Task<long> Count(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static readonly string Script = $"""
        \set n random(1, {PgbenchAudiences})
        BEGIN;
        INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, data_date, result_key, candidate_count, result_count, attempts, created_at, updated_at)
            SELECT gen_random_uuid(), a.id, a.organization_id, 'queued', 'manual', a.config, a.config_hash, '2001-01-01', repeat('b', 64), 0, 0, 0, now(), now()
            FROM bench_audiences b JOIN audiences a ON a.id = b.id WHERE b.n = :n
            ON CONFLICT (audience_id) WHERE status IN ('queued', 'running') DO NOTHING;
        WITH state AS (INSERT INTO outbox_state (outbox_id, created) VALUES (gen_random_uuid(), now()) RETURNING outbox_id)
        INSERT INTO outbox_message (outbox_id, message_id, content_type, message_type, body, destination_address, sent_time)
            SELECT state.outbox_id, gen_random_uuid(), 'application/vnd.masstransit+json', 'urn:message:Intent.Contracts.Runs:MaterializeAudienceRun',
                   repeat('x', 760), 'rabbitmq://127.0.0.1/intent-bench/Intent.Contracts.Runs:MaterializeAudienceRun', now()
            FROM state;
        COMMIT;
        """;

    private static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static void Say(string line) => Console.WriteLine($"-- {line}");
}
