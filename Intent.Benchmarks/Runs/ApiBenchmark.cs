using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// <c>./intent bench api</c>: POST runs/s and latency of the real API process at fixed concurrency for
/// 60 s across many audiences, beside pgbench running the same run + outbox insert transaction straight
/// against PostgreSQL; then a relay process (as a worker relays) drains what was written, the API runs
/// again beside it, and at half its rate for latency.
/// </summary>
public sealed class ApiBenchmark(BenchSettings settings)
{
    private const int Concurrency = 16;
    private const int ApiAudiences = 150_000;
    private const int PgbenchAudiences = 200_000;
    private static readonly TimeSpan MaxRateDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan HalfRateDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SharedDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PgbenchDuration = TimeSpan.FromSeconds(30);

    public async Task RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        Say($"preparing an organization, a token and {ApiAudiences + PgbenchAudiences:N0} audiences (INSERT ... SELECT)");
        var token = await RunsLoad.PrepareAsync(dataSource, ApiAudiences + PgbenchAudiences);

        Say($"raw: pgbench, {Concurrency} clients, {PgbenchDuration.TotalSeconds:N0} s, run + outbox state + outbox message insert per transaction");
        var raw = await PgbenchAsync();
        await Execute(dataSource, "TRUNCATE outbox_message, outbox_state; DELETE FROM audience_runs;");

        await using var api = await ApiProcess.StartAsync(settings);
        using var client = RunsLoad.Client(api.BaseAddress, token, Concurrency);
        var load = new RunsLoad(await RunsLoad.AudiencesAsync(dataSource, after: PgbenchAudiences));

        // First the API alone, doing what pgbench does (the run and its outbox rows, committed), with
        // the outbox left for later; then the relay drains it; then both together, as one box runs them.
        Say("ours: warm-up");
        await load.ClosedLoopAsync(client, Concurrency, TimeSpan.FromSeconds(5));
        Say($"ours: POST /runs, {Concurrency} at a time, {MaxRateDuration.TotalSeconds:N0} s, outbox relay not running");
        var max = await load.ClosedLoopAsync(client, Concurrency, MaxRateDuration);

        var half = max.Rate / 2;
        Say($"ours: POST /runs at half that rate ({half:N0}/s), {HalfRateDuration.TotalSeconds:N0} s, outbox relay not running");
        var steady = await load.OpenLoopAsync(client, half, HalfRateDuration);

        var pending = await Count(dataSource, "SELECT count(*) FROM outbox_message");
        Say($"relay: a worker-like process delivers the {pending:N0} messages written");
        var drainWatch = Stopwatch.StartNew();
        await using var relay = await Outbox.RelayProcess.StartAsync();
        while (await Count(dataSource, "SELECT count(*) FROM outbox_message") > 0)
        {
            await Task.Delay(100);
        }

        var drain = pending / drainWatch.Elapsed.TotalSeconds;
        Say($"ours: POST /runs, {Concurrency} at a time, {SharedDuration.TotalSeconds:N0} s, relay running beside it");
        var shared = await load.ClosedLoopAsync(client, Concurrency, SharedDuration);
        var sharedHalf = shared.Rate / 2;
        Say($"ours: POST /runs at half that rate ({sharedHalf:N0}/s), {HalfRateDuration.TotalSeconds:N0} s, relay running beside it");
        var sharedSteady = await load.OpenLoopAsync(client, sharedHalf, HalfRateDuration);

        Console.WriteLine();
        Console.WriteLine("| measure | value | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| pgbench: run + outbox insert transactions/s ({Concurrency} clients) | {raw:N0} | 1.00 |");
        Console.WriteLine($"| API: POST runs/s ({Concurrency} concurrent, {MaxRateDuration.TotalSeconds:N0} s, {max.Count:N0} runs, {max.Errors} errors) | {max.Rate:N0} | {max.Rate / raw:N2} |");
        Console.WriteLine($"| API at max rate: p50 / p99 ms | {max.P50:N1} / {max.P99:N1} | |");
        Console.WriteLine($"| API at {half:N0}/s: p50 / p99 ms ({steady.Count:N0} runs, {steady.Errors} errors) | {steady.P50:N1} / {steady.P99:N1} | |");
        Console.WriteLine($"| relay: messages delivered/s draining the {pending:N0} written | {drain:N0} | |");
        Console.WriteLine($"| API with the relay running on the same 2 cores: POST runs/s ({shared.Count:N0} runs, {shared.Errors} errors) | {shared.Rate:N0} | {shared.Rate / raw:N2} |");
        Console.WriteLine($"| API at {sharedHalf:N0}/s with the relay running: p50 / p99 ms ({sharedSteady.Count:N0} runs, {sharedSteady.Errors} errors) | {sharedSteady.P50:N1} / {sharedSteady.P99:N1} | |");
        Console.WriteLine();
        Console.WriteLine($"targets: >= 0.5 x raw rate: {(max.Rate / raw >= 0.5 ? "met" : "MISSED")}; p99 <= 25 ms at half rate: {(steady.P99 <= 25 ? "met" : "MISSED")}");
    }

    private static async Task<long> Count(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<double> PgbenchAsync()
    {
        var script = Path.Combine(Path.GetTempPath(), $"intent-bench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, $"""
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
            """);
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
            var start = new ProcessStartInfo(Psql.Tool("pgbench"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
                     {
                         "-n", "-c", Concurrency.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", PgbenchDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                         "-f", script, "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, builder.Database!,
                     })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["PGPASSWORD"] = builder.Password;
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var tps = output.Split('\n').FirstOrDefault(l => l.StartsWith("tps = ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"pgbench failed: {errors}{output}");
            return double.Parse(tps["tps = ".Length..].Split(' ')[0], CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static void Say(string line) => Console.WriteLine($"-- {line}");
}
