using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Loading;
using Intent.Data.Seeding;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Scheduling;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// <c>./intent bench daily</c>: the daily-runs job queueing runs for 100,000 active audiences (one
/// configuration, whose snapshot one earlier run built, so every daily run reuses it) beside one INSERT ...
/// SELECT of the same run rows; the worker draining those runs from their queue beside its floor, the saga's
/// statements for such a run run by pgbench; and the job on a worker that relays and drains meanwhile.
/// </summary>
public sealed class DailyBenchmark(BenchSettings settings)
{
    private const int Audiences = 100_000;
    private const int FloorClients = 16;
    private const int FloorRunsPerClient = 2_500;
    private const string SnapshotBuilder = "00000000-0000-0000-0000-0000000000db";
    private static readonly TimeSpan DrainWindow = TimeSpan.FromSeconds(60);
    private static readonly SeedOptions Data = new(People: 2_000, Topics: 40, Days: 1, Seed: 3, EndDate: new DateOnly(2001, 1, 1));

    public async Task RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        await PrepareAsync(dataSource);

        Say("baseline: one INSERT ... SELECT of the same run rows, rolled back, three times");
        var baselines = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            baselines.Add(await BaselineAsync(dataSource));
        }

        var baseline = baselines.Order().ElementAt(1);

        Say("the shared configuration's snapshot, built by one run on a worker, before any daily run is queued");
        await using (var builder = await WorkerBenchHost.StartAsync(settings))
        {
            await BuildSnapshotAsync(builder, dataSource);
        }

        Say($"ours alone: the daily-runs job on a worker that does not relay (Outbox:Relay=false), {Audiences:N0} runs");
        TimeSpan alone;
        await using (var writer = await WorkerBenchHost.StartAsync(settings, scheduling: true, new Dictionary<string, string?> { ["Outbox:Relay"] = "false" }))
        {
            (alone, _) = await QueueAsync(writer, dataSource, waitForRelay: false);
        }

        await Execute(dataSource, """
            CREATE TABLE bench_floor_message AS
            SELECT body, content_type, message_type, headers, properties, source_address, destination_address FROM outbox_message LIMIT 1;
            """);

        Say("drain: a host without consumers relays those runs' messages into their queue; then a worker drains the queue");
        await using (var relay = await WorkerBenchHost.StartRelayAsync(settings))
        {
            await WaitAsync(dataSource, "SELECT NOT EXISTS (SELECT 1 FROM outbox_message WHERE message_type LIKE '%:StartDailyRun')");
        }

        var completedBefore = await CountAsync(dataSource, "SELECT count(*) FROM audience_runs WHERE run_type = 'daily' AND status = 'completed'");
        TimeSpan window;
        long drained;
        await using (var worker = await WorkerBenchHost.StartAsync(settings))
        {
            var windowStart = Stopwatch.GetTimestamp();
            do
            {
                await Task.Delay(100);
                drained = await CountAsync(dataSource, "SELECT count(*) FROM audience_runs WHERE run_type = 'daily' AND status = 'completed'") - completedBefore;
            }
            while (drained < Audiences && Stopwatch.GetElapsedTime(windowStart) < DrainWindow);

            window = Stopwatch.GetElapsedTime(windowStart);
            Say("stopping the worker");
        }

        var drainRate = drained / window.TotalSeconds;
        await Execute(dataSource, "TRUNCATE audience_runs, outbox_message, outbox_state, daily_run_dates CASCADE");

        Say("ours as deployed: the job on a worker that relays, completes and emails meanwhile");
        TimeSpan deployed, relayed;
        TimeSpan? allCompleted = null;
        await using (var worker = await WorkerBenchHost.StartAsync(settings, scheduling: true))
        {
            var triggered = Stopwatch.GetTimestamp();
            (deployed, relayed) = await QueueAsync(worker, dataSource, waitForRelay: true);
            var windowStart = Stopwatch.GetTimestamp();
            while (await CountAsync(dataSource, "SELECT count(*) FROM audience_runs WHERE run_type = 'daily' AND status = 'completed'") < Audiences
                   && Stopwatch.GetElapsedTime(windowStart) < DrainWindow)
            {
                await Task.Delay(100);
            }

            if (await CountAsync(dataSource, "SELECT count(*) FROM audience_runs WHERE run_type = 'daily' AND status = 'completed'") == Audiences)
            {
                allCompleted = Stopwatch.GetElapsedTime(triggered);
            }

            Say("stopping the worker");
        }

        var snapshots = await CountAsync(dataSource, "SELECT count(*) FROM audience_snapshots");
        Say($"snapshots built: {snapshots} for {Audiences:N0} runs");

        Say($"floor: pgbench, {FloorClients} clients (the saga's consumers), the saga's statements for one queued run whose snapshot exists, {FloorRunsPerClient:N0} runs each");
        var floor = await FloorAsync(dataSource);

        Console.WriteLine();
        Console.WriteLine("| measure | value | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| one INSERT ... SELECT of {Audiences:N0} run rows (median of {string.Join(", ", baselines.Select(b => b.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)))} ms) | {baseline.TotalMilliseconds:N0} ms | 1.00 |");
        Console.WriteLine($"| daily job, nothing else running: {Audiences:N0} runs and their outbox messages queued | {alone.TotalMilliseconds:N0} ms | {alone / baseline:N2} |");
        Console.WriteLine($"| daily job on a worker relaying and draining meanwhile | {deployed.TotalMilliseconds:N0} ms | {deployed / baseline:N2} |");
        Console.WriteLine($"| ... its {Audiences:N0} messages all with RabbitMQ, from the trigger | {relayed.TotalMilliseconds:N0} ms | {Audiences / relayed.TotalSeconds:N0} msg/s |");
        Console.WriteLine($"| floor: the saga's statements per run (snapshot reused), pgbench {FloorClients} clients | {floor:N0} runs/s | 1.00 |");
        Console.WriteLine($"| worker draining the queued messages (snapshot reused): {drained:N0} runs completed in {window.TotalSeconds:N1} s | {drainRate:N0} runs/s | {drainRate / floor:N2} |");
        Console.WriteLine(allCompleted is { } total
            ? $"| as deployed: all {Audiences:N0} runs queued, relayed and completed, from the trigger | {total.TotalSeconds:N1} s | {Audiences / total.TotalSeconds:N0} runs/s = {Audiences / total.TotalSeconds / floor:N2} |"
            : $"| as deployed: not all {Audiences:N0} runs completed within {DrainWindow.TotalSeconds:N0} s of their messages reaching RabbitMQ | | |");

        Console.WriteLine();
        Console.WriteLine($"targets: job alone <= 3 x baseline: {(alone / baseline <= 3 ? "met" : "MISSED")}; drain >= 0.5 x floor: {(drainRate / floor >= 0.5 ? "met" : "MISSED")}");
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

        await Execute(dataSource,
            $$$"""
            INSERT INTO organizations (id, name, created_at) VALUES ('00000000-0000-0000-0000-0000000000da', 'daily', now());
            INSERT INTO audiences (id, organization_id, name, status, daily_refresh_enabled, config, config_hash, audience_size, created_at, updated_at)
            SELECT gen_random_uuid(), '00000000-0000-0000-0000-0000000000da', 'daily ' || n, 'active', true,
                   '{"topicIds":[1,2,3],"minScore":50,"maxScore":100,"minTopicOverlap":1,"filters":{}}', repeat('e', 64), 0, now(), now()
            FROM generate_series(1, {{{Audiences}}}) n;
            INSERT INTO audiences (id, organization_id, name, status, daily_refresh_enabled, config, config_hash, audience_size, created_at, updated_at)
            VALUES ('{{{SnapshotBuilder}}}', '00000000-0000-0000-0000-0000000000da', 'builds the snapshot', 'active', false,
                    '{"topicIds":[1,2,3],"minScore":50,"maxScore":100,"minTopicOverlap":1,"filters":{}}', repeat('e', 64), 0, now(), now());
            ANALYZE audiences;
            """);
    }

    /// <summary>A manual run of an audience with the shared configuration (not a daily one), queued and completed as the API's would be.</summary>
    private static async Task BuildSnapshotAsync(WorkerBenchHost.Running worker, NpgsqlDataSource dataSource)
    {
        var runId = Guid.CreateVersion7();
        await using (var scope = worker.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, data_date, result_key,
                                           candidate_count, result_count, attempts, created_at, updated_at)
                SELECT {runId}, a.id, a.organization_id, 'queued', 'manual', a.config, a.config_hash, '2001-01-01',
                       encode(sha256(convert_to(a.organization_id::text || '|' || a.config_hash || '|2001-01-01', 'UTF8')), 'hex'), 0, 0, 0, now(), now()
                FROM audiences a WHERE a.id = {Guid.Parse(SnapshotBuilder)}
                """);
            await publisher.Publish(new MaterializeAudienceRun { RunId = runId, AudienceId = Guid.Parse(SnapshotBuilder), OrganizationId = Guid.Parse("00000000-0000-0000-0000-0000000000da") });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        await WaitAsync(dataSource, $"SELECT EXISTS (SELECT 1 FROM audience_runs WHERE id = '{runId}' AND status = 'completed')");
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

    /// <summary>
    /// Fires the job; returns how long it took by its own measure (<c>intent.daily_runs.duration</c>: from the
    /// data date read to the date recorded, Quartz's pick-up of the trigger left out) and, if asked, how long
    /// from the trigger until its messages were all relayed.
    /// </summary>
    private static async Task<(TimeSpan Queued, TimeSpan Relayed)> QueueAsync(WorkerBenchHost.Running worker, NpgsqlDataSource dataSource, bool waitForRelay)
    {
        var duration = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PipelineMetrics.MeterName && instrument.Name == "intent.daily_runs.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => duration.TrySetResult(seconds));
        listener.Start();

        var scheduler = await worker.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var started = Stopwatch.GetTimestamp();
        await scheduler.TriggerJob(QueueDailyRunsJob.Key);
        var queued = TimeSpan.FromSeconds(await duration.Task.WaitAsync(TimeSpan.FromMinutes(30)));
        var relayed = waitForRelay
            ? Stopwatch.GetElapsedTime(started, await WaitAsync(dataSource, "SELECT NOT EXISTS (SELECT 1 FROM outbox_message WHERE message_type LIKE '%:StartDailyRun')"))
            : TimeSpan.Zero;
        if (await CountAsync(dataSource, "SELECT count(*) FROM audience_runs WHERE run_type = 'daily'") != Audiences)
        {
            throw new InvalidOperationException("the daily job did not queue a run for every audience");
        }

        return (queued, relayed);
    }

    /// <summary>
    /// The statements the saga runs for a queued run whose snapshot exists (as Npgsql sends them, prepared), one
    /// transaction per run, each run once: inbox row (marked consumed), run locked, snapshot key-share locked,
    /// audience refreshed, run completed with its outbox message and outbox. pgbench sends BEGIN and the three
    /// statements Npgsql batches on their own, nine round trips where the worker makes six; the
    /// outbox row's text comes from a one-row table (pgbench would take the colons in it for variables).
    /// </summary>
    private async Task<double> FloorAsync(NpgsqlDataSource dataSource)
    {
        // Queued runs of the same key for the floor: the drain may have completed every daily run.
        await Execute(dataSource, $"""
            INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, data_date, result_key,
                                       candidate_count, result_count, attempts, created_at, updated_at)
            SELECT gen_random_uuid(), r.audience_id, r.organization_id, 'queued', 'manual', r.config, r.config_hash, r.data_date, r.result_key, 0, 0, 0, now(), now()
            FROM audience_runs r
            WHERE r.run_type = 'daily' AND NOT EXISTS (SELECT 1 FROM audience_runs q WHERE q.audience_id = r.audience_id AND q.status IN ('queued', 'running'))
            ORDER BY r.id LIMIT {FloorClients * FloorRunsPerClient};
            """);
        await Execute(dataSource, "VACUUM ANALYZE audience_runs");
        await Execute(dataSource, $"""
            CREATE TABLE bench_floor AS
            SELECT row_number() OVER (ORDER BY id)::int AS n, id, audience_id, result_key FROM audience_runs WHERE status = 'queued'
            ORDER BY id LIMIT {FloorClients * FloorRunsPerClient};
            ALTER TABLE bench_floor ADD PRIMARY KEY (n);
            ANALYZE bench_floor;
            """);
        var available = await CountAsync(dataSource, "SELECT count(*) FROM bench_floor");
        if (available < FloorClients * FloorRunsPerClient)
        {
            throw new InvalidOperationException($"only {available} queued runs left for the floor");
        }

        const string Consumer = "'6d1a3f1e-0000-4000-8000-00000000da17'";
        var script = $"""
            \set n :n + 1
            \set k :client_id * {FloorRunsPerClient} + :n
            BEGIN;
            INSERT INTO inbox_state AS i (message_id, consumer_id, received, receive_count, consumed) VALUES (md5('i' || :k::text)::uuid, {Consumer}, now(), 1, now()) ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = i.receive_count + 1 RETURNING i.receive_count, i.consumed, i.xmax = 0;
            SELECT * FROM audience_runs WHERE id = (SELECT id FROM bench_floor WHERE n = :k) FOR UPDATE;
            SELECT ARRAY[candidate_count, result_count] FROM audience_snapshots WHERE result_key = (SELECT result_key FROM bench_floor WHERE n = :k) FOR KEY SHARE;
            UPDATE audiences AS a SET audience_size = 1, last_refreshed_at = now() WHERE a.id = (SELECT audience_id FROM bench_floor WHERE n = :k) AND (a.last_refreshed_at IS NULL OR a.last_refreshed_at <= now());
            UPDATE audience_runs SET attempts = 1, candidate_count = 1, completed_at = now(), result_count = 1, started_at = now(), status = 'completed', updated_at = now() WHERE id = (SELECT id FROM bench_floor WHERE n = :k);
            INSERT INTO outbox_message (body, content_type, conversation_id, correlation_id, destination_address, expiration_time, fault_address, headers, initiator_id, message_id, message_type, outbox_id, properties, request_id, response_address, sent_time, source_address) SELECT body, content_type, md5('c' || :k::text)::uuid, NULL, destination_address, NULL, NULL, headers, NULL, md5('m' || :k::text)::uuid, message_type, md5('o' || :k::text)::uuid, properties, NULL, NULL, now(), source_address FROM bench_floor_message RETURNING sequence_number;
            INSERT INTO outbox_state (outbox_id, created) VALUES (md5('o' || :k::text)::uuid, now());
            COMMIT;
            """;
        var tps = await Pgbench.RunTpsAsync(settings.ConnectionString, script,
            "-M", "prepared", "-c", FloorClients.ToString(CultureInfo.InvariantCulture), "-j", "2",
            "-t", FloorRunsPerClient.ToString(CultureInfo.InvariantCulture), "-D", "n=0");
        var completed = await CountAsync(dataSource, "SELECT count(*) FROM audience_runs r JOIN bench_floor f ON f.id = r.id WHERE r.status = 'completed'");
        return completed == available ? tps : throw new InvalidOperationException($"the floor completed {completed} of {available} runs");
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> WaitAsync(NpgsqlDataSource dataSource, string condition)
    {
        await using var check = dataSource.CreateCommand(condition);
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 1800);
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if ((bool)(await check.ExecuteScalarAsync())!)
            {
                return now;
            }

            if (now > deadline)
            {
                throw new InvalidOperationException($"gave up waiting for: {condition}");
            }

            await Task.Delay(50);
        }
    }

    private static void Say(string line) => Console.WriteLine($"-- {line}");

}
