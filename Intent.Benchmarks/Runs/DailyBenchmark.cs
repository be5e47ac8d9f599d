using System.Diagnostics;
using Intent.Data.Loading;
using Intent.Data.Seeding;
using Intent.Pipeline.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// <c>./intent bench daily</c>: the daily-runs job queueing runs for 100,000 active audiences (one
/// configuration, so every run after the first reuses its snapshot), and the worker's steady rate of
/// completing them, beside one INSERT ... SELECT of the same run rows.
/// </summary>
public sealed class DailyBenchmark(BenchSettings settings)
{
    private const int Audiences = 100_000;
    private static readonly TimeSpan DrainWindow = TimeSpan.FromSeconds(60);
    private static readonly SeedOptions Data = new(People: 2_000, Topics: 40, Days: 1, Seed: 3, EndDate: new DateOnly(2001, 1, 1));

    public async Task RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        await PrepareAsync(dataSource);

        Console.WriteLine("-- baseline: one INSERT ... SELECT of the same run rows (rolled back)");
        var baseline = await BaselineAsync(dataSource);

        Console.WriteLine($"-- ours: the daily-runs job on a worker, then the worker draining {Audiences:N0} runs");
        await using var worker = await WorkerBenchHost.StartAsync(settings, scheduling: true);
        var scheduler = await worker.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var started = Stopwatch.GetTimestamp();
        await scheduler.TriggerJob(QueueDailyRunsJob.Key);
        var queued = await WaitAsync(dataSource, "SELECT count(*) FROM audience_runs WHERE run_type = 'daily'", Audiences);
        var queueTime = Stopwatch.GetElapsedTime(started, queued);
        // Draining all of them takes long on a small machine: measure the steady drain rate over a window.
        await using var completed = dataSource.CreateCommand("SELECT count(*) FROM audience_runs WHERE run_type = 'daily' AND status = 'completed'");
        var before = (long)(await completed.ExecuteScalarAsync())!;
        var windowStart = Stopwatch.GetTimestamp();
        await Task.Delay(DrainWindow);
        var after = (long)(await completed.ExecuteScalarAsync())!;
        var drainRate = (after - before) / Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
        var drainTime = TimeSpan.FromSeconds(Audiences / drainRate);
        await using (var snapshots = dataSource.CreateCommand("SELECT count(*) FROM audience_snapshots"))
        {
            Console.WriteLine($"snapshots built: {(long)(await snapshots.ExecuteScalarAsync())!} for {Audiences:N0} runs");
        }

        Console.WriteLine();
        Console.WriteLine("| measure | time | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| one INSERT ... SELECT of {Audiences:N0} run rows | {baseline.TotalMilliseconds:N0} ms | 1.00 |");
        Console.WriteLine($"| daily job: {Audiences:N0} runs queued with their outbox messages | {queueTime.TotalMilliseconds:N0} ms | {queueTime / baseline:N1} |");
        Console.WriteLine($"| worker drain rate over {DrainWindow.TotalSeconds:N0} s (snapshot reused) | {drainRate:N0} runs/s | |");
        Console.WriteLine($"| ... so all {Audiences:N0} completed in about | {drainTime.TotalMinutes:N0} min | {drainTime / baseline:N0} |");
    }

    private static async Task PrepareAsync(NpgsqlDataSource dataSource)
    {
        var data = new SyntheticIntentData(Data);
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var loader = new IntentDataLoader(connection);
            await loader.CopyTopicsAsync(data.Topics());
            await loader.CopyPeopleAsync(data.People());
            await loader.LoadScoresAsync(Data.LastDate, data.Scores(Data.LastDate), transaction);
            await transaction.CommitAsync();
        }

        await using var audiences = dataSource.CreateCommand(
            $$$"""
            INSERT INTO organizations (id, name, created_at) VALUES ('00000000-0000-0000-0000-0000000000da', 'daily', now());
            INSERT INTO audiences (id, organization_id, name, status, daily_refresh_enabled, config, config_hash, audience_size, created_at, updated_at)
            SELECT gen_random_uuid(), '00000000-0000-0000-0000-0000000000da', 'daily ' || n, 'active', true,
                   '{"topicIds":[1,2,3],"minScore":50,"maxScore":100,"minTopicOverlap":1,"filters":{}}', repeat('e', 64), 0, now(), now()
            FROM generate_series(1, {{{Audiences}}}) n;
            ANALYZE audiences;
            """);
        await audiences.ExecuteNonQueryAsync();
    }

    private static async Task<TimeSpan> BaselineAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, data_date, result_key,
                                       candidate_count, result_count, attempts, created_at, updated_at)
            SELECT gen_random_uuid(), a.id, a.organization_id, 'queued', 'daily', a.config, a.config_hash, '2001-01-01',
                   encode(sha256(convert_to(a.organization_id::text || '|' || a.config_hash || '|2001-01-01', 'UTF8')), 'hex'), 0, 0, 0, now(), now()
            FROM audiences a WHERE a.status = 'active' AND a.daily_refresh_enabled
            """,
            connection,
            transaction) { CommandTimeout = 0 };
        var watch = Stopwatch.StartNew();
        await insert.ExecuteNonQueryAsync();
        watch.Stop();
        await transaction.RollbackAsync();
        return watch.Elapsed;
    }

    private static async Task<long> WaitAsync(NpgsqlDataSource dataSource, string sql, long target)
    {
        await using var count = dataSource.CreateCommand(sql);
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 1800);
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if ((long)(await count.ExecuteScalarAsync())! >= target)
            {
                return now;
            }

            if (now > deadline)
            {
                throw new InvalidOperationException($"gave up waiting for: {sql}");
            }

            await Task.Delay(100);
        }
    }
}
