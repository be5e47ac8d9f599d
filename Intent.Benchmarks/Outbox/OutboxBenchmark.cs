using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intent.Benchmarks.Outbox;

/// <summary>
/// <c>./intent bench outbox</c>: the bus outbox's write rate and the relay's throughput beside PostgreSQL's raw
/// insert-transaction rate and RabbitMQ's raw confirmed-publish rate; what the wake-up costs writers (pgbench of
/// the bus outbox's own write with and without it, <see cref="WakeUpCost"/>); and commit-to-consume latency, relay
/// in the writer's process and in another, beside a raw pipeline (<see cref="RawPipeline"/>), all offered the
/// same load: half the bus outbox's write rate measured in the same run.
/// </summary>
public sealed class OutboxBenchmark(BenchSettings settings)
{
    private const string Exchange = "Intent.Benchmarks.Outbox:BenchPing";
    private const string Sink = "bench-sink";
    private const int ThroughputMessages = 20_000;
    private const int Concurrency = 16;
    private static readonly int[] WakeUpClients = [8, 32, 64];
    private static readonly TimeSpan WakeUpPhase = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SteadyDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan WarmUpRound = TimeSpan.FromSeconds(5);
    private const int MaxWarmUpRounds = 12;
    private const double SettledJitShare = 0.01;

    /// <summary>
    /// The whole benchmark, or one part of it: <c>wake-up</c> (what the wake-up costs writers) or <c>latency</c> (the
    /// bus outbox's write rate, then the latencies at half of it beside the raw pipeline's).
    /// </summary>
    public async Task RunAsync(string? part = null)
    {
        if (part is not (null or "wake-up" or "latency"))
        {
            throw new ArgumentException($"unknown part of the outbox benchmark: {part} (wake-up, latency)", nameof(part));
        }

        Say($"outbox benchmark on {Environment.ProcessorCount} cores; {ThroughputMessages:N0} messages for rates; latency at half the bus outbox's write rate for {SteadyDuration.TotalSeconds:N0} s");
        var (sample, write) = await SampleRowAsync();
        var targets = new List<string>();
        var rows = new List<(string Measure, string Value, string Ratio)>();
        if (part is null)
        {
            await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);
            Say("ceiling: PostgreSQL insert transactions (outbox state + message rows, raw Npgsql)");
            var postgres = await Ceilings.PostgresInsertTransactionsPerSecondAsync(settings.ConnectionString, sample, ThroughputMessages, Concurrency);
            Say("ceiling: RabbitMQ publishes with confirms (raw RabbitMQ.Client)");
            var rabbit = await Ceilings.RabbitMqConfirmedPublishesPerSecondAsync(settings, Exchange, sample, ThroughputMessages, 64);
            rows.Add(("PostgreSQL raw insert transactions/s (ceiling)", $"{postgres:N0}", "1.00"));
            rows.Add(("RabbitMQ raw confirmed publishes/s (ceiling)", $"{rabbit:N0}", "1.00"));
            await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);

            Say("ours: bus outbox writes, then the relay draining them from another process");
            var (writes, relay) = await ThroughputAsync(relay: true);
            var lower = Math.Min(postgres, rabbit);
            rows.Add(("bus outbox write transactions/s", $"{writes:N0}", $"{writes / postgres:N2} of PostgreSQL"));
            rows.Add(($"relay throughput, messages/s over {ThroughputMessages:N0}", $"{relay:N0}", $"{relay / lower:N2} of the lower ceiling"));
            targets.Add($"relay >= 0.50 of the lower ceiling: {(relay / lower >= 0.5 ? "met" : "MISSED")}");
            await WakeUpAsync(write, rows, targets);
            await LatenciesAsync(sample, writes, rows, targets);
        }
        else if (part == "wake-up")
        {
            await WakeUpAsync(write, rows, targets);
        }
        else
        {
            Say("ours: bus outbox writes");
            var (writes, _) = await ThroughputAsync(relay: false);
            rows.Add(("bus outbox write transactions/s", $"{writes:N0}", ""));
            await LatenciesAsync(sample, writes, rows, targets);
        }

        Console.WriteLine();
        Console.WriteLine("| measure | value | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        foreach (var (measure, value, ratio) in rows)
        {
            Row(measure, value, ratio);
        }

        Console.WriteLine();
        Console.WriteLine($"targets: {string.Join("; ", targets)}");
    }

    private async Task LatenciesAsync(OutboxRowSample sample, double writes, List<(string, string, string)> rows, List<string> targets)
    {
        var rate = Math.Round(writes / 2);

        // The rates' sink stays bound to the message's exchange otherwise, and would be routed and store a second
        // copy of every message ours publish while the raw pipeline's exchange has its consumer's queue only.
        await Ceilings.DeleteSinkAsync(settings, Sink);
        Say($"ours: commit-to-consume latency at {rate:N0}/s (half the write rate), relay in the writer's process");
        var sameProcess = await LatencyAsync(crossProcess: false, rate);
        Say($"ours: commit-to-consume latency at {rate:N0}/s, relay in another process");
        var crossProcess = await LatencyAsync(crossProcess: true, rate);
        Say($"raw: commit-to-consume latency at {rate:N0}/s, raw Npgsql insert, NOTIFY after the commit as ours, raw relay in another process, raw consumer");
        var raw = await RawLatencyAsync(sample, rate, notifyInEveryCommit: false);
        Say($"raw: the same with a plain wake-up, a NOTIFY in every commit");
        var plain = await RawLatencyAsync(sample, rate, notifyInEveryCommit: true);

        rows.Add(($"raw pipeline: p50 / p95 / p99 ms at {rate:N0}/s", raw.ToString(), "1.00"));
        rows.Add(($"raw pipeline, a NOTIFY in every commit: p50 / p95 / p99 ms at {rate:N0}/s", plain.ToString(), $"p99 {plain.P99 / raw.P99:N2}"));
        rows.Add(($"ours, same process: p50 / p95 / p99 ms at {rate:N0}/s", sameProcess.ToString(), $"p99 {sameProcess.P99 / raw.P99:N2}"));
        rows.Add(($"ours, cross process: p50 / p95 / p99 ms at {rate:N0}/s", crossProcess.ToString(), $"p99 {crossProcess.P99 / raw.P99:N2} ({crossProcess.P99 / plain.P99:N2} of the plain wake-up's)"));
        rows.Add(("raw pipeline: CPU per message", raw.CpuPerMessage.ToString(), "1.00"));
        rows.Add(("ours, same process: CPU per message", sameProcess.CpuPerMessage.ToString(), $"{sameProcess.CpuPerMessage.Total / raw.CpuPerMessage.Total:N2}"));
        rows.Add(("ours, cross process: CPU per message", crossProcess.CpuPerMessage.ToString(), $"{crossProcess.CpuPerMessage.Total / raw.CpuPerMessage.Total:N2}"));
        targets.Add($"cross-process p99 <= 1.5 x raw p99: {(crossProcess.P99 <= 1.5 * raw.P99 ? "met" : "MISSED")}");
    }

    private async Task WakeUpAsync(string write, List<(string, string, string)> rows, List<string> targets)
    {
        Say($"wake-up cost: pgbench of the bus outbox's write for one publish, {WakeUpPhase.TotalSeconds:N0} s phases, {WakeUpCost.Pairs} pairs without and with the wake-up:");
        foreach (var line in OutboxWriteScript.Outline(write))
        {
            Say($"  {line}");
        }

        var wakeUp = await WakeUpCost.RunAsync(settings.ConnectionString, write, WakeUpClients, WakeUpPhase, Say);
        foreach (var row in wakeUp)
        {
            rows.Add(($"pgbench of the outbox write, {row.Clients} clients: tx/s without / with the wake-up", $"{row.Without:N0} / {row.With:N0}", $"{row.Ratio:N2} (median of pairs {row.MedianPairRatio:N2})"));
        }

        targets.Add($"wake-up >= 0.95 at {string.Join(", ", wakeUp.Select(r => r.Clients))} clients: {(wakeUp.All(r => r.Ratio >= 0.95) ? "met" : "MISSED")}");
    }

    /// <summary>One outbox row as the bus outbox writes it, and the write's statements as a pgbench script.</summary>
    private async Task<(OutboxRowSample Sample, string Write)> SampleRowAsync()
    {
        string write;
        await using (var writer = await OutboxBenchHost.StartAsync(settings, relay: false, consumer: false))
        {
            // The second write is the one replayed: the first also opens the pool and loads the model.
            await writer.WriteAsync(-1);
            var capture = writer.Services.GetRequiredService<CommandCapture>();
            capture.Recording = true;
            await writer.WriteAsync(0);
            capture.Recording = false;
            write = OutboxWriteScript.From(capture.Steps);
        }

        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        await using var read = dataSource.CreateCommand(
            "SELECT content_type, message_type, body, headers, destination_address FROM outbox_message ORDER BY sequence_number LIMIT 1");
        await using var reader = await read.ExecuteReaderAsync();
        await reader.ReadAsync();
        var sample = new OutboxRowSample(reader.GetString(0), reader.GetString(1), reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4));
        await reader.CloseAsync();
        await using var truncate = dataSource.CreateCommand("TRUNCATE outbox_message, outbox_state");
        await truncate.ExecuteNonQueryAsync();
        return (sample, write);
    }

    /// <summary>The bus outbox's write rate; then, with <paramref name="relay"/>, the relay's over what was written (else it is dropped).</summary>
    private async Task<(double Writes, double Relay)> ThroughputAsync(bool relay)
    {
        double writes;
        await using (var writer = await OutboxBenchHost.StartAsync(settings, relay: false, consumer: false))
        {
            var allocated = GC.GetTotalAllocatedBytes();
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(1, ThroughputMessages), new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
                async (id, _) => await writer.WriteAsync(id));
            writes = ThroughputMessages / watch.Elapsed.TotalSeconds;
            Say($"bus outbox writes: {writes:N0}/s, {(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / ThroughputMessages:N1} kB allocated a write");
        }

        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        if (!relay)
        {
            await using var truncate = dataSource.CreateCommand("TRUNCATE outbox_message, outbox_state");
            await truncate.ExecuteNonQueryAsync();
            return (writes, 0);
        }

        await using var relayProcess = await RelayProcess.StartAsync();
        var started = await WaitForRowsAsync(dataSource, rows => rows < ThroughputMessages);
        var finished = await WaitForRowsAsync(dataSource, rows => rows == 0);
        return (writes, ThroughputMessages / Stopwatch.GetElapsedTime(started, finished).TotalSeconds);
    }

    private static async Task<long> WaitForRowsAsync(NpgsqlDataSource dataSource, Func<long, bool> condition)
    {
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM outbox_message");
        while (true)
        {
            var rows = (long)(await count.ExecuteScalarAsync())!;
            var now = Stopwatch.GetTimestamp();
            if (condition(rows))
            {
                return now;
            }

            await Task.Delay(5);
        }
    }

    private async Task<Percentiles> LatencyAsync(bool crossProcess, double rate)
    {
        await using var host = await OutboxBenchHost.StartAsync(settings, relay: !crossProcess, consumer: true);
        await using var relay = crossProcess ? await RelayProcess.StartAsync() : null;
        return await MeasureAsync(host.WriteAsync, host.Recorder, rate, () => relay?.CpuTime ?? TimeSpan.Zero,
            () => relay?.JitTimeAsync() ?? Task.FromResult(TimeSpan.Zero));
    }

    private async Task<Percentiles> RawLatencyAsync(OutboxRowSample sample, double rate, bool notifyInEveryCommit)
    {
        await using var pipeline = await RawPipeline.StartAsync(settings, sample, notifyInEveryCommit);
        await using var relay = await RelayProcess.StartAsync("raw-relay");
        return await MeasureAsync(pipeline.WriteAsync, pipeline.Recorder, rate, () => relay.CpuTime, relay.JitTimeAsync);
    }

    private static async Task<Percentiles> MeasureAsync(
        Func<long, Task> write, LatencyRecorder recorder, double rate, Func<TimeSpan> relayCpu, Func<Task<TimeSpan>> relayJit)
    {
        // Warm up at the same rate (pools, a fresh relay process, and the JIT: tiered recompilation takes a busy process
        // many seconds, and would be measured with the pipeline otherwise) until both processes' JIT has settled.
        var jitShare = 1.0;
        var rounds = 0;
        var perRound = (int)(rate * WarmUpRound.TotalSeconds);
        while (jitShare >= SettledJitShare && rounds < MaxWarmUpRounds)
        {
            var warmupId = 10_000_000 + (rounds++ * 1_000_000L);
            var jit = System.Runtime.JitInfo.GetCompilationTime() + await relayJit();
            var started = Stopwatch.GetTimestamp();
            await SteadyAsync(write, warmupId, perRound, rate);
            await WaitForReceivedAsync(recorder, warmupId, perRound);
            jitShare = (System.Runtime.JitInfo.GetCompilationTime() + await relayJit() - jit) / Stopwatch.GetElapsedTime(started);
        }

        Say($"  warmed up in {rounds} rounds of {WarmUpRound.TotalSeconds:N0} s (JIT of this process and the relay's {jitShare:P1} of the last)");
        recorder.Committed.Clear();
        recorder.Received.Clear();

        const long firstId = 2_000_000;
        var count = (int)(rate * SteadyDuration.TotalSeconds);
        using var sampler = AllocationSampler.Wanted ? new AllocationSampler() : null;
        sampler?.Start();
        var before = CpuReading.Take(relayCpu, await relayJit());
        await SteadyAsync(write, firstId, count, rate);
        await WaitForReceivedAsync(recorder, firstId, count);
        var cpu = CpuReading.Take(relayCpu, await relayJit()) - before;
        foreach (var line in sampler?.Stop(25) ?? [])
        {
            Say($"  allocated: {line}");
        }

        var latencies = recorder.Committed
            .Where(c => recorder.Received.ContainsKey(c.Key))
            .Select(c => Stopwatch.GetElapsedTime(c.Value, recorder.Received[c.Key]).TotalMilliseconds)
            .Order()
            .ToArray();
        if (latencies.Length < count)
        {
            throw new InvalidOperationException($"only {latencies.Length} of {count} messages were consumed within a minute");
        }

        return new Percentiles(At(latencies, 0.50), At(latencies, 0.95), At(latencies, 0.99), cpu.PerMessage(count));
    }

    private static async Task WaitForReceivedAsync(LatencyRecorder recorder, long firstId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (recorder.Received.Keys.Count(id => id >= firstId && id < firstId + count) < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    private static async Task SteadyAsync(Func<long, Task> write, long firstId, int count, double rate)
    {
        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var writes = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var wait = start + (long)(i * interval) - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            writes.Add(write(firstId + i));
        }

        await Task.WhenAll(writes);
    }

    private static double At(double[] sorted, double quantile) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];

    private static void Say(string line) => Console.WriteLine($"-- {line}");

    private static void Row(string measure, string value, string ratio) => Console.WriteLine($"| {measure} | {value} | {ratio} |");

    /// <summary>Latency percentiles in milliseconds, and the CPU the pipeline's parts used per message meanwhile.</summary>
    public readonly record struct Percentiles(double P50, double P95, double P99, CpuReading CpuPerMessage)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{P50:N1} / {P95:N1} / {P99:N1}");
    }

    /// <summary>
    /// CPU used so far by the benchmark process (writer and consumer), the relay process, PostgreSQL and RabbitMQ;
    /// between two readings, what one pipeline cost at its load.
    /// </summary>
    public readonly record struct CpuReading(TimeSpan Benchmark, TimeSpan Relay, TimeSpan Postgres, TimeSpan RabbitMq, TimeSpan GcPauses, int Gen0, int Gen1, int Gen2, long Allocated, TimeSpan Jit, TimeSpan RelayJit)
    {
        public static CpuReading Take(Func<TimeSpan> relay, TimeSpan relayJit = default)
        {
            using var self = Process.GetCurrentProcess();
            return new CpuReading(self.TotalProcessorTime, relay(), ServiceCpu.Of("postgres"), ServiceCpu.Of("beam.smp"),
                GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes(),
                System.Runtime.JitInfo.GetCompilationTime(), relayJit);
        }

        public static CpuReading operator -(CpuReading a, CpuReading b) =>
            new(a.Benchmark - b.Benchmark, a.Relay - b.Relay, a.Postgres - b.Postgres, a.RabbitMq - b.RabbitMq,
                a.GcPauses - b.GcPauses, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.Allocated - b.Allocated, a.Jit - b.Jit, a.RelayJit - b.RelayJit);

        public CpuReading PerMessage(int messages) =>
            new(Benchmark / messages, Relay / messages, Postgres / messages, RabbitMq / messages, GcPauses, Gen0, Gen1, Gen2, Allocated / messages, Jit, RelayJit);

        public TimeSpan Total => Benchmark + Relay + Postgres + RabbitMq;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Total.TotalMicroseconds:N0} µs: writer+consumer {Benchmark.TotalMicroseconds:N0}, relay {Relay.TotalMicroseconds:N0}, PostgreSQL {Postgres.TotalMicroseconds:N0}, RabbitMQ {RabbitMq.TotalMicroseconds:N0}; benchmark process allocated {Allocated / 1024.0:N1} kB a message, paused {GcPauses.TotalMilliseconds:N0} ms for {Gen0} GCs ({Gen1} of generation 1, {Gen2} of 2), JIT {Jit.TotalMilliseconds:N0} ms (the relay process's {RelayJit.TotalMilliseconds:N0} ms)");
    }
}
