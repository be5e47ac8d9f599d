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
    private static readonly TimeSpan WarmUpDuration = TimeSpan.FromSeconds(10);

    /// <summary>The whole benchmark, or with <paramref name="wakeUpOnly"/> only what the wake-up costs writers.</summary>
    public async Task RunAsync(bool wakeUpOnly = false)
    {
        Say($"outbox benchmark on {Environment.ProcessorCount} cores; {ThroughputMessages:N0} messages for rates; latency at half the bus outbox's write rate for {SteadyDuration.TotalSeconds:N0} s");
        var (sample, write) = await SampleRowAsync();
        if (wakeUpOnly)
        {
            var alone = await WakeUpAsync(write);
            Console.WriteLine();
            Console.WriteLine("| measure | value | ratio |");
            Console.WriteLine("| --- | ---: | ---: |");
            WakeUpRows(alone);
            Console.WriteLine();
            Console.WriteLine($"target: wake-up >= 0.95 at {string.Join(", ", alone.Select(r => r.Clients))} clients: {(alone.All(r => r.Ratio >= 0.95) ? "met" : "MISSED")}");
            return;
        }

        await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);

        Say("ceiling: PostgreSQL insert transactions (outbox state + message rows, raw Npgsql)");
        var postgres = await Ceilings.PostgresInsertTransactionsPerSecondAsync(settings.ConnectionString, sample, ThroughputMessages, Concurrency);
        Say("ceiling: RabbitMQ publishes with confirms (raw RabbitMQ.Client)");
        var rabbit = await Ceilings.RabbitMqConfirmedPublishesPerSecondAsync(settings, Exchange, sample, ThroughputMessages, 64);
        await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);

        Say("ours: bus outbox writes, then the relay draining them from another process");
        var (writes, relay) = await ThroughputAsync();
        await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);

        var wakeUp = await WakeUpAsync(write);

        var rate = Math.Round(writes / 2);
        Say($"ours: commit-to-consume latency at {rate:N0}/s (half the write rate), relay in the writer's process");
        var sameProcess = await LatencyAsync(crossProcess: false, rate);
        Say($"ours: commit-to-consume latency at {rate:N0}/s, relay in another process");
        var crossProcess = await LatencyAsync(crossProcess: true, rate);
        await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);
        Say($"raw: commit-to-consume latency at {rate:N0}/s, raw Npgsql insert, NOTIFY after the commit as ours, raw relay in another process, raw consumer");
        var raw = await RawLatencyAsync(sample, rate);

        var lower = Math.Min(postgres, rabbit);
        Console.WriteLine();
        Console.WriteLine("| measure | value | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Row("PostgreSQL raw insert transactions/s (ceiling)", $"{postgres:N0}", "1.00");
        Row("RabbitMQ raw confirmed publishes/s (ceiling)", $"{rabbit:N0}", "1.00");
        Row("bus outbox write transactions/s", $"{writes:N0}", $"{writes / postgres:N2} of PostgreSQL");
        Row($"relay throughput, messages/s over {ThroughputMessages:N0}", $"{relay:N0}", $"{relay / lower:N2} of the lower ceiling");
        WakeUpRows(wakeUp);

        Row($"raw pipeline: p50 / p95 / p99 ms at {rate:N0}/s", raw.ToString(), "1.00");
        Row($"ours, same process: p50 / p95 / p99 ms at {rate:N0}/s", sameProcess.ToString(), $"p99 {sameProcess.P99 / raw.P99:N2}");
        Row($"ours, cross process: p50 / p95 / p99 ms at {rate:N0}/s", crossProcess.ToString(), $"p99 {crossProcess.P99 / raw.P99:N2}");
        Console.WriteLine();
        Console.WriteLine($"targets: wake-up >= 0.95 at {string.Join(", ", wakeUp.Select(r => r.Clients))} clients: {(wakeUp.All(r => r.Ratio >= 0.95) ? "met" : "MISSED")}; " +
            $"cross-process p99 <= 1.5 x raw p99: {(crossProcess.P99 <= 1.5 * raw.P99 ? "met" : "MISSED")}; " +
            $"relay >= 0.50 of the lower ceiling: {(relay / lower >= 0.5 ? "met" : "MISSED")}");
    }

    private static void WakeUpRows(List<WakeUpCost.Row> rows)
    {
        foreach (var row in rows)
        {
            Row($"pgbench of the outbox write, {row.Clients} clients: tx/s without / with the wake-up", $"{row.Without:N0} / {row.With:N0}", $"{row.Ratio:N2}");
        }
    }

    private async Task<List<WakeUpCost.Row>> WakeUpAsync(string write)
    {
        Say($"wake-up cost: pgbench of the bus outbox's write for one publish, {WakeUpPhase.TotalSeconds:N0} s phases, {WakeUpCost.Pairs} pairs without and with the wake-up:");
        foreach (var line in OutboxWriteScript.Outline(write))
        {
            Say($"  {line}");
        }

        return await WakeUpCost.RunAsync(settings.ConnectionString, write, WakeUpClients, WakeUpPhase, Say);
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

    private async Task<(double Writes, double Relay)> ThroughputAsync()
    {
        double writes;
        await using (var writer = await OutboxBenchHost.StartAsync(settings, relay: false, consumer: false))
        {
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(1, ThroughputMessages), new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
                async (id, _) => await writer.WriteAsync(id));
            writes = ThroughputMessages / watch.Elapsed.TotalSeconds;
        }

        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        await using var relay = await RelayProcess.StartAsync();
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
        return await MeasureAsync(host.WriteAsync, host.Recorder, rate);
    }

    private async Task<Percentiles> RawLatencyAsync(OutboxRowSample sample, double rate)
    {
        await using var pipeline = await RawPipeline.StartAsync(settings, sample);
        await using var relay = await RelayProcess.StartAsync("raw-relay");
        return await MeasureAsync(pipeline.WriteAsync, pipeline.Recorder, rate);
    }

    private static async Task<Percentiles> MeasureAsync(Func<long, Task> write, LatencyRecorder recorder, double rate)
    {
        // Warm up (JIT, pools, a fresh relay process) at the same rate, and let it drain, before measuring.
        const long warmupId = 1_000_000;
        var warmup = (int)(rate * WarmUpDuration.TotalSeconds);
        await SteadyAsync(write, warmupId, warmup, rate);
        await WaitForReceivedAsync(recorder, warmupId, warmup);
        recorder.Committed.Clear();
        recorder.Received.Clear();

        const long firstId = 2_000_000;
        var count = (int)(rate * SteadyDuration.TotalSeconds);
        await SteadyAsync(write, firstId, count, rate);
        await WaitForReceivedAsync(recorder, firstId, count);

        var latencies = recorder.Committed
            .Where(c => recorder.Received.ContainsKey(c.Key))
            .Select(c => Stopwatch.GetElapsedTime(c.Value, recorder.Received[c.Key]).TotalMilliseconds)
            .Order()
            .ToArray();
        if (latencies.Length < count)
        {
            throw new InvalidOperationException($"only {latencies.Length} of {count} messages were consumed within a minute");
        }

        return new Percentiles(At(latencies, 0.50), At(latencies, 0.95), At(latencies, 0.99));
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

    /// <summary>Latency percentiles in milliseconds.</summary>
    public readonly record struct Percentiles(double P50, double P95, double P99)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{P50:N1} / {P95:N1} / {P99:N1}");
    }
}
