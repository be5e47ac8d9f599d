using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Intent.Benchmarks.Outbox;

/// <summary>
/// <c>./intent bench outbox</c>: commit-to-consume latency at a steady rate (relay in the writer's
/// process and in another), the relay's maximum throughput, and as ceilings, measured in the same
/// run, PostgreSQL's raw insert-transaction rate and RabbitMQ's raw confirmed-publish rate.
/// </summary>
public sealed class OutboxBenchmark(BenchSettings settings)
{
    private const string Exchange = "Intent.Benchmarks.Outbox:BenchPing";
    private const string Sink = "bench-sink";
    private const int ThroughputMessages = 20_000;
    private const int Concurrency = 16;
    private const int SteadyRate = 500;
    private static readonly TimeSpan SteadyDuration = TimeSpan.FromSeconds(10);

    public async Task RunAsync()
    {
        Say($"outbox benchmark on {Environment.ProcessorCount} cores; {ThroughputMessages:N0} messages for rates, {SteadyRate}/s for {SteadyDuration.TotalSeconds:N0} s for latency");
        var sample = await SampleRowAsync();
        await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);

        Say("ceiling: PostgreSQL insert transactions (outbox state + message rows, raw Npgsql)");
        var postgres = await Ceilings.PostgresInsertTransactionsPerSecondAsync(settings.ConnectionString, sample, ThroughputMessages, Concurrency);
        Say("ceiling: RabbitMQ publishes with confirms (raw RabbitMQ.Client)");
        var rabbit = await Ceilings.RabbitMqConfirmedPublishesPerSecondAsync(settings, Exchange, sample, ThroughputMessages, 64);
        await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);

        Say("ours: bus outbox writes, then the relay draining them from another process");
        var (writes, relay) = await ThroughputAsync();
        await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);

        Say("ours: commit-to-consume latency, relay in the writer's process");
        var sameProcess = await LatencyAsync(crossProcess: false);
        Say("ours: commit-to-consume latency, relay in another process");
        var crossProcess = await LatencyAsync(crossProcess: true);
        await Ceilings.DeclareSinkAsync(settings, Exchange, Sink, purge: true);

        var lower = Math.Min(postgres, rabbit);
        Console.WriteLine();
        Console.WriteLine("| measure | value | ratio |");
        Console.WriteLine("| --- | ---: | ---: |");
        Row("PostgreSQL raw insert transactions/s (ceiling)", $"{postgres:N0}", "1.00");
        Row("RabbitMQ raw confirmed publishes/s (ceiling)", $"{rabbit:N0}", "1.00");
        Row("bus outbox write transactions/s", $"{writes:N0}", $"{writes / postgres:N2} of PostgreSQL");
        Row($"relay throughput, messages/s over {ThroughputMessages:N0}", $"{relay:N0}", $"{relay / lower:N2} of the lower ceiling");
        Row($"same process: p50 / p95 / p99 ms at {SteadyRate}/s", sameProcess.ToString(), "");
        Row($"cross process: p50 / p95 / p99 ms at {SteadyRate}/s", crossProcess.ToString(), "");
        Console.WriteLine();
        Console.WriteLine($"targets: cross-process p99 <= 50 ms: {(crossProcess.P99 <= 50 ? "met" : "MISSED")}; " +
            $"relay >= 0.50 of the lower ceiling: {(relay / lower >= 0.5 ? "met" : "MISSED")}");
    }

    private async Task<OutboxRowSample> SampleRowAsync()
    {
        await using (var writer = await OutboxBenchHost.StartAsync(settings, relay: false, consumer: false))
        {
            await writer.WriteAsync(0);
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
        return sample;
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

    private async Task<Percentiles> LatencyAsync(bool crossProcess)
    {
        await using var host = await OutboxBenchHost.StartAsync(settings, relay: !crossProcess, consumer: true);
        await using var relay = crossProcess ? await RelayProcess.StartAsync() : null;

        // Warm up (JIT, pools, a fresh relay process) at the same rate, and let it drain, before measuring.
        const long warmupId = 1_000_000;
        var warmup = SteadyRate * 3;
        await SteadyAsync(host, warmupId, warmup);
        await WaitForReceivedAsync(host, warmupId, warmup);
        host.Recorder.Committed.Clear();
        host.Recorder.Received.Clear();

        const long firstId = 2_000_000;
        var count = (int)(SteadyRate * SteadyDuration.TotalSeconds);
        await SteadyAsync(host, firstId, count);
        await WaitForReceivedAsync(host, firstId, count);

        var latencies = host.Recorder.Committed
            .Where(c => host.Recorder.Received.ContainsKey(c.Key))
            .Select(c => Stopwatch.GetElapsedTime(c.Value, host.Recorder.Received[c.Key]).TotalMilliseconds)
            .Order()
            .ToArray();
        if (latencies.Length < count)
        {
            throw new InvalidOperationException($"only {latencies.Length} of {count} messages were consumed within a minute");
        }

        return new Percentiles(At(latencies, 0.50), At(latencies, 0.95), At(latencies, 0.99));
    }

    private static async Task WaitForReceivedAsync(OutboxBenchHost host, long firstId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (host.Recorder.Received.Keys.Count(id => id >= firstId && id < firstId + count) < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    private static async Task SteadyAsync(OutboxBenchHost host, long firstId, int count)
    {
        var interval = Stopwatch.Frequency / SteadyRate;
        var start = Stopwatch.GetTimestamp();
        var writes = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var wait = start + (i * interval) - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            writes.Add(host.WriteAsync(firstId + i));
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
