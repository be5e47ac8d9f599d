using Intent.Messaging.Configuration;
using Intent.Messaging.Relay;
using Npgsql;

namespace Intent.Benchmarks.Outbox;

/// <summary>
/// What the outbox wake-up costs writers: pgbench of the bus outbox's own write (<see cref="OutboxWriteScript"/>)
/// with no wake-up, beside the same with the wake-up as built. As built, a writer's transaction sends nothing more;
/// after commits the writing process sends <c>pg_notify</c> on a connection of its own, at most once every
/// <see cref="PostgresOutboxOptions.WakeUpInterval"/> (<c>OutboxWakeUp</c>). Under load it always has a commit
/// waiting, so that connection notifies, pauses the interval, notifies again: here one more pgbench client does
/// exactly that beside the writers (one statement a notification, in a session that does not wait for its commit's
/// flush, as that connection), and a connection LISTENs as a relay's does.
/// </summary>
public static class WakeUpCost
{
    /// <summary>How many pairs of phases, one without and one with the wake-up, each client count runs.</summary>
    public const int Pairs = 10;
    private static readonly bool[] WithoutFirst = [false, true];
    private static readonly bool[] WithFirst = [true, false];

    /// <summary>Writer transactions/s of one client count: without a wake-up and with it, each the mean of its phases.</summary>
    public sealed record Row(int Clients, double Without, double With, long Notifications, double MedianPairRatio)
    {
        public double Ratio => With / Without;
    }

    public static async Task<List<Row>> RunAsync(string connectionString, string script, int[] clientCounts, TimeSpan phase, Action<string> say)
    {
        var channel = OutboxTableNames.ChannelFor(null, OutboxTableNames.StateTable);
        var interval = PostgresOutboxOptions.DefaultWakeUpInterval;
        var notifier = $"""
            SELECT pg_notify('{channel}', '');
            \sleep {Math.Max(1, (int)interval.TotalMilliseconds)} ms
            """;

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var rows = new List<Row>();
        foreach (var clients in clientCounts)
        {
            // Short phases, alternating pairs (without-with, with-without, ...): the shared machine's drifts fall on both sides alike.
            long notifications = 0;
            var phases = new List<(bool WakeUp, double Tps)>();
            foreach (var wakeUp in Enumerable.Range(0, Pairs).SelectMany(pair => pair % 2 == 0 ? WithoutFirst : WithFirst))
            {
                await FreshAsync(dataSource);
                if (!wakeUp)
                {
                    phases.Add((false, (await Pgbench.RunAsync(connectionString, script, clients, phase, protocol: "simple")).Tps));
                    continue;
                }

                using var stop = new CancellationTokenSource();
                var listening = ListenAsync(dataSource, channel, stop.Token);
                // Simple protocol: with prepared statements pgbench would take the channel's ":public" for a variable.
                var notifying = Pgbench.RunAsync(connectionString, notifier, 1, phase + TimeSpan.FromSeconds(2),
                    protocol: "simple", sessionOptions: OutboxWakeUp.SessionOptions, cancellationToken: stop.Token);
                phases.Add((true, (await Pgbench.RunAsync(connectionString, script, clients, phase, protocol: "simple")).Tps));
                await stop.CancelAsync();
                notifications += await listening;
                try
                {
                    await notifying;
                }
                catch (OperationCanceledException)
                {
                }
            }

            var without = phases.Where(p => !p.WakeUp).Sum(p => p.Tps);
            var with = phases.Where(p => p.WakeUp).Sum(p => p.Tps);
            var ratios = phases.Chunk(2).Select(pair => pair.Single(p => p.WakeUp).Tps / pair.Single(p => !p.WakeUp).Tps).Order().ToList();
            var median = (ratios[(ratios.Count - 1) / 2] + ratios[ratios.Count / 2]) / 2;
            rows.Add(new Row(clients, without / Pairs, with / Pairs, notifications, median));
            say($"{clients} clients: {without / Pairs:N0} tx/s without a wake-up, {with / Pairs:N0} with ({notifications:N0} notifications heard), {with / without:N3}, " +
                $"median of the pairs' ratios {median:N3}; phases (- without, + with): {string.Join(' ', phases.Select(p => $"{(p.WakeUp ? '+' : '-')}{p.Tps:N0}"))}");
        }

        await FreshAsync(dataSource);
        return rows;
    }

    private static async Task FreshAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("TRUNCATE outbox_message, outbox_state; CHECKPOINT;");
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ListenAsync(NpgsqlDataSource dataSource, string channel, CancellationToken stop)
    {
        long heard = 0;
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        connection.Notification += (_, _) => heard++;
        await using (var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection))
        {
            await listen.ExecuteNonQueryAsync(CancellationToken.None);
        }

        try
        {
            while (!stop.IsCancellationRequested)
            {
                await connection.WaitAsync(stop);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return heard;
    }
}
