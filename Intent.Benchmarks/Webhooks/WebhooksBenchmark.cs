using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Threading.Channels;
using Intent.Benchmarks.Outbox;
using Intent.Benchmarks.Runs;
using Intent.Contracts.Webhooks;
using Intent.Data;
using Intent.Data.Runs;
using Intent.Data.Webhooks;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Runs;
using Intent.Pipeline.Webhooks;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intent.Benchmarks.Webhooks;

/// <summary>
/// <c>./intent bench webhooks</c>: deliveries/s of committed <c>run.completed</c> events through the whole
/// path (outbox relay, fan-out into delivery rows, the delivery loop's claims, signed POSTs and recorded
/// outcomes) to a Kestrel receiver in this process; then the delivery stage alone (pending deliveries
/// committed at once, until all are recorded delivered); beside raw HttpClient POSTs of the same body to
/// the same receiver at the same concurrency, measured before and after ours in the same invocation. Beside the
/// whole path, its ceiling: raw confirmed publishes of the same outbox messages to RabbitMQ, which the relay's
/// rate cannot exceed. Beside the stage, two floors that keep a durable log too: raw POSTs of pending deliveries
/// claimed and recorded by the loop's own two statements (<see cref="RawStageAsync"/>), and the least a durable
/// log writes (<see cref="LeastStageAsync"/>).
/// </summary>
public sealed class WebhooksBenchmark(BenchSettings settings)
{
    private const int Events = 5_000;
    private const int RawRequests = 20_000;
    private const string CeilingExchange = "Intent.Benchmarks.Webhooks:Ceiling";
    private const string CeilingSink = "bench-webhooks-ceiling-sink";
    private static readonly int RelayParallelism = new Intent.Messaging.Configuration.PostgresOutboxOptions().RelayParallelism;
    private static readonly int Concurrency = new WebhookOptions().ConcurrentDeliveries;
    private static readonly TimeSpan MinWarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(60);
    private const double SettledJitShare = 0.02;

    /// <summary>Batch workers of <see cref="LeastStageAsync"/>.</summary>
    private const int LeastWorkers = 4;

    /// <summary>Timers due by now: the stage's, not the floors'.</summary>
    private const string DueNowTimers = "SELECT count(*) FROM webhook_due_deliveries WHERE next_attempt_at <= now()";

    /// <summary>Outcomes the floor records in one statement at most, as the loop does.</summary>
    private const int RecordBatch = 1000;

    /// <summary>The floors' deliveries fall due this much later, so the worker's loop (claiming what is due now) leaves them alone.</summary>
    private static readonly TimeSpan FloorDelay = TimeSpan.FromDays(1);

    /// <summary>The "now" the floors claim at: past their deliveries' due time, whatever the clock.</summary>
    private static DateTime FloorClaimTime => DateTime.UtcNow + FloorDelay + FloorDelay;

    public async Task RunAsync()
    {
        await using var receiver = await Receiver.StartAsync();
        var body = WebhookEvents.Payload(WebhookEventTypes.RunCompleted, DateTime.UtcNow, SampleRun());
        Say($"payload: {body.Length:N0} bytes; receiver at {receiver.Url}; {Concurrency} at a time");

        Say($"raw: HttpClient POSTs of the payload, {RawRequests:N0}, once rounds of as many leave the JIT settled");
        await WarmUpAsync("raw", async () => await RawAsync(receiver, body, RawRequests));
        var (rawBefore, rawBeforeCpu) = await RawAsync(receiver, body, RawRequests);

        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        var organizationId = await PrepareAsync(dataSource, receiver.Url);
        await using var worker = await WorkerBenchHost.StartAsync(settings, configuration: new Dictionary<string, string?> { ["Webhooks:AllowPrivateTargets"] = "true" });

        Say("ours: warm-up, 500 events");
        await OursAsync(worker, dataSource, receiver, organizationId, body, 500);
        Say($"ours: {Events:N0} run.completed events, each its own outbox, committed together, then delivered");
        var (ours, relayed, sample) = await OursAsync(worker, dataSource, receiver, organizationId, body, Events);
        Say($"ceiling of the whole path: raw RabbitMQ confirmed publishes of the same {Events:N0} outbox messages, {RelayParallelism} in flight (the relay's parallelism)");
        await Ceilings.DeclareSinkAsync(settings, CeilingExchange, CeilingSink, purge: true);
        var rabbit = await Ceilings.RabbitMqConfirmedPublishesPerSecondAsync(settings, CeilingExchange, sample, Events, RelayParallelism);
        await Ceilings.DeclareSinkAsync(settings, CeilingExchange, CeilingSink, purge: true);
        Say($"ours, delivery stage alone: {Events:N0}, then {RawRequests:N0} (as many as raw POSTs) pending deliveries committed together, then delivered, " +
            $"once stages of {RawRequests:N0} leave the JIT settled");
        await WarmUpAsync("ours, delivery stage", async () => await StageAsync(worker, dataSource, receiver, organizationId, body, RawRequests));
        var (stage, stageCpu) = await StageAsync(worker, dataSource, receiver, organizationId, body, Events);
        string stageStatements;
        (double, OutboxBenchmark.CpuReading) stageLongResult;
        using (var statements = new StatementSizes())
        {
            stageLongResult = await StageAsync(worker, dataSource, receiver, organizationId, body, RawRequests);
            stageStatements = await statements.SummaryAsync(RawRequests);
        }

        var (stageLong, stageLongCpu) = stageLongResult;

        Say($"floor of the delivery stage: raw POSTs of the same {RawRequests:N0} pending deliveries, claimed and recorded by the loop's own two statements " +
            "(no signing, headers, spans, metrics or logs), once rounds leave the JIT settled");
        var store = worker.Services.GetRequiredService<WebhookDeliveryStore>();
        await WarmUpAsync("floor of the delivery stage", async () => await RawStageAsync(store, dataSource, receiver, organizationId, body, RawRequests));
        var (rawStage, rawStageCpu, rawStatements) = await RawStageAsync(store, dataSource, receiver, organizationId, body, RawRequests);
        Say("least a durable log writes: the same raw POSTs, each batch's timers locked in a transaction held over its POSTs, then deleted and their log rows " +
            "marked delivered in it (no lease, no attempt counted before the POST)");
        await WarmUpAsync("least a durable log writes", async () => await LeastStageAsync(dataSource, receiver, organizationId, body, RawRequests));
        var (least, leastCpu) = await LeastStageAsync(dataSource, receiver, organizationId, body, RawRequests);

        Say($"raw again: {RawRequests:N0}");
        var (rawAfter, rawAfterCpu) = await RawAsync(receiver, body, RawRequests);
        var raw = (rawBefore + rawAfter) / 2;

        Console.WriteLine();
        Console.WriteLine("| measure | value | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine($"| raw HttpClient POSTs/s, {Concurrency} at a time (before / after ours) | {rawBefore:N0} / {rawAfter:N0} | 1.00 |");
        Console.WriteLine($"| ours: deliveries/s, commit of {Events:N0} events → all delivered and recorded | {ours:N0} | {ours / raw:N2} |");
        Console.WriteLine($"| ... of which the relay had handed all events to RabbitMQ after | {relayed.TotalSeconds:N1} s | |");
        Console.WriteLine($"| ceiling of the whole path: raw RabbitMQ confirmed publishes/s of its outbox messages, {RelayParallelism} in flight | {rabbit:N0} | |");
        Console.WriteLine($"| ... the whole path over that ceiling | | {ours / rabbit:N2} |");
        Console.WriteLine($"| ours, delivery stage alone: deliveries/s, commit of {Events:N0} pending deliveries → all delivered and recorded | {stage:N0} | {stage / raw:N2} |");
        Console.WriteLine($"| ... the same for {RawRequests:N0} pending deliveries | {stageLong:N0} | {stageLong / raw:N2} |");
        Console.WriteLine($"| floor of the delivery stage: raw POSTs of {RawRequests:N0} pending deliveries, claimed and recorded by the same statements | {rawStage:N0} | {rawStage / raw:N2} |");
        Console.WriteLine($"| ... the delivery stage ({RawRequests:N0}) over that floor | | {stageLong / rawStage:N2} |");
        Console.WriteLine($"| least a durable log writes: the same raw POSTs, timers locked over them, then deleted and log rows marked delivered | {least:N0} | {least / raw:N2} |");
        Console.WriteLine($"| ... CPU per delivery: this process; PostgreSQL | {Micros(leastCpu.Benchmark)}; {Micros(leastCpu.Postgres)} | |");
        Console.WriteLine($"| CPU per raw POST, client and receiver (before / after ours) | {Micros(rawBeforeCpu.Benchmark)} / {Micros(rawAfterCpu.Benchmark)} | |");
        Console.WriteLine($"| CPU per delivery, {Events:N0} / {RawRequests:N0} pending: this process (loop, client, receiver) | {Micros(stageCpu.Benchmark)} / {Micros(stageLongCpu.Benchmark)} | |");
        Console.WriteLine($"| ... PostgreSQL | {Micros(stageCpu.Postgres)} / {Micros(stageLongCpu.Postgres)} | |");
        Console.WriteLine($"| CPU per delivery of the floor: this process; PostgreSQL | {Micros(rawStageCpu.Benchmark)}; {Micros(rawStageCpu.Postgres)} | |");
        Console.WriteLine($"| deliveries a statement, {RawRequests:N0} pending: claims / records, ours; the floor's | {stageStatements}; {rawStatements} | |");
        Console.WriteLine($"| ... this process's allocations a delivery, and its GC pauses and collections | {stageCpu.Allocated / 1024.0:N1} / {stageLongCpu.Allocated / 1024.0:N1} kB; {stageCpu.GcPauses.TotalMilliseconds:N0} / {stageLongCpu.GcPauses.TotalMilliseconds:N0} ms in {stageCpu.Gen0} / {stageLongCpu.Gen0} GCs ({stageCpu.Gen1} / {stageLongCpu.Gen1} of generation 1) | |");
        Console.WriteLine();
        Console.WriteLine($"target: >= 0.5 x raw: whole path {(ours / raw >= 0.5 ? "met" : "MISSED")}, delivery stage {(Math.Min(stage, stageLong) / raw >= 0.5 ? "met" : "MISSED")}");
    }

    /// <summary>
    /// Repeats <paramref name="round"/> for at least <see cref="MinWarmUp"/> (pools, connections and the thread pool settle
    /// too: a fresh process's first POSTs ran 20-40 % slower with the JIT already quiet) and until the JIT took less than
    /// <see cref="SettledJitShare"/> of a round's time (tiered compilation done with what the round runs), or for
    /// <see cref="MaxWarmUp"/>: both sides are measured warm, as a long-running worker and client are.
    /// </summary>
    private static async Task WarmUpAsync(string what, Func<Task> round)
    {
        var warm = Stopwatch.StartNew();
        for (var rounds = 1; ; rounds++)
        {
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            var started = Stopwatch.GetTimestamp();
            await round();
            var share = (System.Runtime.JitInfo.GetCompilationTime() - jit) / Stopwatch.GetElapsedTime(started);
            if ((share < SettledJitShare && warm.Elapsed >= MinWarmUp) || warm.Elapsed > MaxWarmUp)
            {
                Say($"{what}: warmed up in {rounds} rounds, {warm.Elapsed.TotalSeconds:N0} s (JIT {share:P1} of the last round's time)");
                return;
            }
        }
    }

    private static string Micros(TimeSpan cpu) => $"{cpu.TotalMicroseconds:N1} µs";

    /// <summary>Raw POSTs a second, and the CPU this process (client and receiver) used per POST.</summary>
    private static async Task<(double Rate, OutboxBenchmark.CpuReading Cpu)> RawAsync(Receiver receiver, string body, int requests)
    {
        using var client = NewClient();
        var next = 0;
        var before = OutboxBenchmark.CpuReading.Take(() => TimeSpan.Zero);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                await PostAsync(client, receiver.Url, body);
            }
        }));
        var rate = requests / watch.Elapsed.TotalSeconds;
        return (rate, (OutboxBenchmark.CpuReading.Take(() => TimeSpan.Zero) - before).PerMessage(requests));
    }

    /// <summary>Commits <paramref name="events"/> events as the saga does (outbox rows), then waits until every delivery is recorded delivered.</summary>
    private static async Task<(double Rate, TimeSpan Relayed, OutboxRowSample Sample)> OursAsync(
        WorkerBenchHost.Running worker, NpgsqlDataSource dataSource, Receiver receiver, Guid organizationId, string body, int events)
    {
        var delivered = await CountAsync(dataSource, "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'");
        var received = receiver.Count;
        await using var scope = worker.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        OutboxRowSample sample;
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            var now = DateTime.UtcNow;
            // One outbox per event, as each saga transaction writes its own; all become visible at the commit.
            for (var i = 0; i < events; i++)
            {
                await publisher.Publish(new FanOutWebhookEvent
                {
                    EventId = Guid.CreateVersion7(), OrganizationId = organizationId, RunId = Guid.CreateVersion7(), Type = WebhookEventTypes.RunCompleted,
                    Payload = body, OccurredAt = now,
                });
                await db.SaveChangesAsync();
            }

            sample = await SampleAsync(db, transaction);
            await transaction.CommitAsync();
        }

        var watch = Stopwatch.StartNew();
        TimeSpan? relayed = null;
        while (await CountAsync(dataSource, "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'") < delivered + events)
        {
            if (relayed is null && await CountAsync(dataSource, "SELECT count(*) FROM outbox_message WHERE message_type LIKE '%FanOutWebhookEvent%'") == 0)
            {
                relayed = watch.Elapsed;
            }

            if (watch.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new InvalidOperationException("gave up waiting for the deliveries");
            }

            await Task.Delay(50);
        }

        var elapsed = watch.Elapsed;
        if (receiver.Count - received != events)
        {
            throw new InvalidOperationException($"the receiver got {receiver.Count - received:N0} requests for {events:N0} events");
        }

        return (events / elapsed.TotalSeconds, relayed ?? elapsed, sample);
    }

    /// <summary>One of the outbox messages just written (in the writing transaction), for the RabbitMQ ceiling to publish the same bytes.</summary>
    private static async Task<OutboxRowSample> SampleAsync(IntentDbContext db, IDbContextTransaction transaction)
    {
        await using var command = new NpgsqlCommand(
            "SELECT content_type, message_type, body, headers, destination_address FROM outbox_message ORDER BY sequence_number LIMIT 1",
            (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new OutboxRowSample(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4));
    }

    /// <summary>
    /// Commits <paramref name="events"/> events with a pending delivery each in one statement, wakes the loop as
    /// the fan-out's commit would, and times until every delivery is recorded delivered; with the CPU this process
    /// and PostgreSQL used meanwhile, per delivery.
    /// </summary>
    private static async Task<(double Rate, OutboxBenchmark.CpuReading Cpu)> StageAsync(
        WorkerBenchHost.Running worker, NpgsqlDataSource dataSource, Receiver receiver, Guid organizationId, string body, int events)
    {
        var delivered = await CountAsync(dataSource, "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'");
        var received = receiver.Count;
        await PendingAsync(dataSource, organizationId, body, events, dueIn: TimeSpan.Zero);

        var before = OutboxBenchmark.CpuReading.Take(() => TimeSpan.Zero);
        var watch = Stopwatch.StartNew();
        worker.Services.GetRequiredService<WebhookDeliverySignal>().Set();

        // The receiver's count first (in this process, no query competing for the CPU), then the database until all are recorded:
        // a delivery's timer goes in the transaction that records its outcome, and the timers' table is small where the log
        // grows by every stage (the floors' timers, due a day later, are not counted).
        while (receiver.Count - received < events || await CountAsync(dataSource, DueNowTimers) > 0)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new InvalidOperationException("gave up waiting for the deliveries");
            }

            await Task.Delay(receiver.Count - received < events ? 1 : 5);
        }

        var elapsed = watch.Elapsed;
        if (receiver.Count - received != events)
        {
            throw new InvalidOperationException($"the receiver got {receiver.Count - received:N0} requests for {events:N0} deliveries");
        }

        if (await CountAsync(dataSource, "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'") != delivered + events)
        {
            throw new InvalidOperationException($"not all of the {events:N0} deliveries were recorded delivered");
        }

        return (events / elapsed.TotalSeconds, (OutboxBenchmark.CpuReading.Take(() => TimeSpan.Zero) - before).PerMessage(events));
    }

    /// <summary>
    /// Commits <paramref name="events"/> events with a pending delivery each in one statement, due after <paramref name="dueIn"/>.
    /// </summary>
    private static async Task PendingAsync(NpgsqlDataSource dataSource, Guid organizationId, string body, int events, TimeSpan dueIn)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH e AS (
                INSERT INTO webhook_events (id, organization_id, type, payload, created_at)
                SELECT gen_random_uuid(), @org, 'run.completed', @body, now() FROM generate_series(1, @events)
                RETURNING id
            ),
            d AS (
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, status, attempts, next_attempt_at, created_at, updated_at)
                SELECT gen_random_uuid(), w.id, e.id, 'run.completed', 'pending', 0, now() + @due, now(), now()
                FROM e CROSS JOIN webhooks w WHERE w.organization_id = @org
                RETURNING id, next_attempt_at
            )
            INSERT INTO webhook_due_deliveries (delivery_id, next_attempt_at) SELECT id, next_attempt_at FROM d
            """);
        command.Parameters.AddWithValue("org", organizationId);
        command.Parameters.AddWithValue("body", body);
        command.Parameters.AddWithValue("events", events);
        command.Parameters.AddWithValue("due", dueIn);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The delivery stage's floor: <paramref name="events"/> pending deliveries (due after <see cref="FloorDelay"/>, so the
    /// worker's loop leaves them alone), claimed by the loop's claim statement a full <c>Webhooks:BatchSize</c> at a time
    /// into a queue of as many, POSTed raw (<see cref="Concurrency"/> at a time, the body as it is, nothing signed or
    /// added), and their outcomes recorded by the loop's recording statement, one recording at a time, each of whatever
    /// came back meanwhile. Unlike the loop: one recorder that never waits to gather, and a claim of a full batch made as
    /// soon as the previous one is queued (up to two batches claimed at once). Deliveries/s, the CPU per delivery, and the
    /// mean deliveries a claim and a recording took.
    /// </summary>
    private static async Task<(double Rate, OutboxBenchmark.CpuReading Cpu, string Statements)> RawStageAsync(
        WebhookDeliveryStore store, NpgsqlDataSource dataSource, Receiver receiver, Guid organizationId, string body, int events)
    {
        var options = new WebhookOptions();
        await PendingAsync(dataSource, organizationId, body, events, FloorDelay);
        var received = receiver.Count;
        using var client = NewClient();
        var queue = Channel.CreateBounded<ClaimedDelivery>(options.BatchSize);
        var outcomes = Channel.CreateUnbounded<DeliveryOutcome>();
        using var failed = new CancellationTokenSource();
        var recorded = 0;
        var claims = 0;
        var records = 0;

        var before = OutboxBenchmark.CpuReading.Take(() => TimeSpan.Zero);
        var watch = Stopwatch.StartNew();
        var claiming = Task.Run(async () =>
        {
            try
            {
                for (var claimed = 0; claimed < events;)
                {
                    var batch = await store.ClaimAsync(options.BatchSize, FloorClaimTime, options.Lease, failed.Token);
                    if (batch.Count == 0)
                    {
                        throw new InvalidOperationException($"the floor's claims found {claimed:N0} of {events:N0} pending deliveries");
                    }

                    foreach (var delivery in batch)
                    {
                        await queue.Writer.WriteAsync(delivery, failed.Token);
                    }

                    claimed += batch.Count;
                    claims++;
                }
            }
            finally
            {
                queue.Writer.Complete();
            }
        });
        var posters = Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var delivery in queue.Reader.ReadAllAsync())
            {
                await PostAsync(client, delivery.Url, delivery.Payload);
                var attempt = new WebhookAttempt(WebhookAttemptOutcome.Delivered, 200, TimeSpan.Zero, null, null, null);
                outcomes.Writer.TryWrite(new DeliveryOutcome(delivery, DeliveryOutcomeKind.Delivered, DateTime.UtcNow, null, attempt, true));
            }
        })));
        // A failed POST ends the floor: the claims stop and the recorder finishes what came back.
        var posting = posters.ContinueWith(
            done =>
            {
                if (done.IsFaulted)
                {
                    failed.Cancel();
                }

                outcomes.Writer.Complete();
            },
            TaskScheduler.Default);
        var batch = new List<DeliveryOutcome>();
        while (await outcomes.Reader.WaitToReadAsync())
        {
            while (batch.Count < RecordBatch && outcomes.Reader.TryRead(out var outcome))
            {
                batch.Add(outcome);
            }

            recorded += (await store.RecordAsync(batch, options.DisableAfterFailures, DateTime.UtcNow, CancellationToken.None)).Recorded.Count;
            records++;
            batch.Clear();
        }

        await posting;
        await posters;
        await claiming;
        var elapsed = watch.Elapsed;
        if (recorded != events || receiver.Count - received != events)
        {
            throw new InvalidOperationException($"the floor recorded {recorded:N0} and the receiver got {receiver.Count - received:N0} of {events:N0} deliveries");
        }

        return (events / elapsed.TotalSeconds, (OutboxBenchmark.CpuReading.Take(() => TimeSpan.Zero) - before).PerMessage(events),
            $"{events / (double)claims:N0} / {events / (double)records:N0}");
    }

    /// <summary>
    /// The least a durable delivery log writes per delivery, as a second floor: <see cref="LeastWorkers"/> batch workers, each
    /// taking up to <c>Webhooks:BatchSize</c> / <see cref="LeastWorkers"/> due timers with <c>FOR UPDATE SKIP LOCKED</c> (with
    /// the event's payload and the webhook's URL) in a transaction held over the batch's raw POSTs, then deleting those
    /// timers and marking their log rows delivered in the same transaction; <see cref="Concurrency"/> POSTs at a time over
    /// all workers, so one worker's claim or commit overlaps the others' POSTs. No lease and no attempt counted before a
    /// POST: weaker than the loop (a crash mid-batch forgets its attempts), so a bound, not a design.
    /// </summary>
    private static async Task<(double Rate, OutboxBenchmark.CpuReading Cpu)> LeastStageAsync(
        NpgsqlDataSource dataSource, Receiver receiver, Guid organizationId, string body, int events)
    {
        var options = new WebhookOptions();
        await PendingAsync(dataSource, organizationId, body, events, FloorDelay);
        var received = receiver.Count;
        var done = 0;
        using var client = NewClient();
        using var sending = new SemaphoreSlim(Concurrency);

        var before = OutboxBenchmark.CpuReading.Take(() => TimeSpan.Zero);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, LeastWorkers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                var batch = new List<(Guid Id, string Payload, string Url)>();
                await using (var claim = new NpgsqlCommand(
                    $"""
                    {WebhookDeliveryStore.PinnedPlan}
                    SELECT q.delivery_id, e.payload, w.url
                    FROM webhook_due_deliveries q
                    JOIN webhook_deliveries d ON d.id = q.delivery_id JOIN webhook_events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
                    WHERE q.next_attempt_at <= @now
                    ORDER BY q.next_attempt_at
                    LIMIT @limit
                    FOR UPDATE OF q SKIP LOCKED
                    """, connection, transaction))
                {
                    claim.Parameters.AddWithValue("now", FloorClaimTime);
                    claim.Parameters.AddWithValue("limit", options.BatchSize / LeastWorkers);
                    await using var reader = await claim.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        batch.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2)));
                    }
                }

                if (batch.Count == 0)
                {
                    return;
                }

                await Task.WhenAll(batch.Select(async delivery =>
                {
                    await sending.WaitAsync();
                    try
                    {
                        await PostAsync(client, delivery.Url, delivery.Payload);
                    }
                    finally
                    {
                        sending.Release();
                    }
                }));

                await using (var record = new NpgsqlCommand(
                    $"""
                    {WebhookDeliveryStore.PinnedPlan}
                    DELETE FROM webhook_due_deliveries WHERE delivery_id = ANY (@ids);
                    UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, next_attempt_at = NULL, last_attempt_at = now(),
                        last_response_status = 200, last_duration_ms = 1, delivered_at = now(), updated_at = now()
                    WHERE id = ANY (@ids);
                    """, connection, transaction))
                {
                    record.Parameters.AddWithValue("ids", batch.Select(d => d.Id).ToArray());
                    await record.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
                Interlocked.Add(ref done, batch.Count);
            }
        })));
        var elapsed = watch.Elapsed;
        if (done != events || receiver.Count - received != events)
        {
            throw new InvalidOperationException($"the least-write floor recorded {done:N0} and the receiver got {receiver.Count - received:N0} of {events:N0} deliveries");
        }

        return (events / elapsed.TotalSeconds, (OutboxBenchmark.CpuReading.Take(() => TimeSpan.Zero) - before).PerMessage(events));
    }

    private static HttpClient NewClient() => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });

    /// <summary>One raw POST of <paramref name="payload"/>; anything but a 2xx answer ends the benchmark.</summary>
    private static async Task PostAsync(HttpClient client, string url, string payload)
    {
        using var content = new StringContent(payload, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(url, content);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<Guid> PrepareAsync(NpgsqlDataSource dataSource, string url)
    {
        var organizationId = Guid.NewGuid();
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO organizations (id, name, created_at) VALUES (@org, 'webhooks', now() - interval '1 hour');
            INSERT INTO webhooks (id, organization_id, url, events, enabled, secret, consecutive_failures, created_at, updated_at)
            VALUES (gen_random_uuid(), @org, @url, ARRAY['run.completed'], true, @secret, 0, now() - interval '1 hour', now());
            """);
        command.Parameters.AddWithValue("org", organizationId);
        command.Parameters.AddWithValue("url", url);
        command.Parameters.AddWithValue("secret", WebhookSignatures.NewSecret());
        await command.ExecuteNonQueryAsync();
        return organizationId;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static RunResponse SampleRun()
    {
        var now = DateTime.UtcNow;
        return RunResponse.From(new AudienceRun
        {
            CorrelationId = Guid.CreateVersion7(), AudienceId = Guid.CreateVersion7(), OrganizationId = Guid.CreateVersion7(), Status = RunStatus.Completed,
            RunType = RunType.Manual, Config = "{}", ConfigHash = new string('c', 64), DataDate = new DateOnly(2026, 11, 28), ResultKey = new string('k', 64),
            CandidateCount = 152_337, ResultCount = 147_839, Attempts = 1, StartedAt = now, CompletedAt = now, CreatedAt = now, UpdatedAt = now,
        });
    }

    private static void Say(string line) => Console.WriteLine($"-- {line}");

    /// <summary>The delivery loop's statements while it lives: how many deliveries each claim and each recording took, on average (<see cref="PipelineMetrics.WebhookBatchInstrument"/>).</summary>
    private sealed class StatementSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly long[] _statements = new long[2];
        private readonly long[] _deliveries = new long[2];

        public StatementSizes()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PipelineMetrics.MeterName && instrument.Name == PipelineMetrics.WebhookBatchInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, deliveries, tags, _) =>
            {
                var stage = tags.Length > 0 && tags[0].Value is "record" ? 1 : 0;
                Interlocked.Increment(ref _statements[stage]);
                Interlocked.Add(ref _deliveries[stage], deliveries);
            });
            _listener.Start();
        }

        /// <summary>
        /// "claims / records", the mean deliveries of each, once recordings of <paramref name="deliveries"/> were reported
        /// (the loop reports one after its commit, which the stage may see first), or after a second.
        /// </summary>
        public async Task<string> SummaryAsync(int deliveries)
        {
            var waited = Stopwatch.StartNew();
            while (Interlocked.Read(ref _deliveries[1]) < deliveries && waited.Elapsed < TimeSpan.FromSeconds(1))
            {
                await Task.Delay(5);
            }

            return $"{Mean(0):N0} / {Mean(1):N0}";
        }

        public void Dispose() => _listener.Dispose();

        private double Mean(int stage) => Interlocked.Read(ref _deliveries[stage]) / (double)Math.Max(1, Interlocked.Read(ref _statements[stage]));
    }

    /// <summary>The receiver: Kestrel on 127.0.0.1 answering 200 to every POST, counting them.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private WebApplication? _app;
        private long _count;

        public string Url { get; private set; } = "";

        public long Count => Interlocked.Read(ref _count);

        public static async Task<Receiver> StartAsync()
        {
            var receiver = new Receiver();
            (receiver._app, var address) = await LocalServer.StartAsync(app => app.MapPost("/hook", async (HttpContext http) =>
            {
                await http.Request.Body.CopyToAsync(Stream.Null);
                Interlocked.Increment(ref receiver._count);
                return Results.Ok();
            }));
            receiver.Url = address + "/hook";
            return receiver;
        }

        public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
