using Npgsql;
using RabbitMQ.Client;

namespace Intent.Benchmarks.Outbox;

/// <summary>
/// The raw pipeline's relay, in a process of its own as ours runs in the cross-process measure: LISTENs on
/// the channel the raw writers notify after their commits, and on each notification (or a poll) claims
/// committed rows (<c>FOR UPDATE SKIP LOCKED</c>), publishes their bodies with raw RabbitMQ.Client and
/// publisher confirms, deletes them and commits. Several loops, so a commit is never behind one batch.
/// </summary>
public static class RawRelay
{
    public const string Channel = "bench_raw_outbox";
    public const string Exchange = "bench-raw";
    private const int Loops = 4;
    private const int BatchSize = 200;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>The child process: relays until its input closes.</summary>
    public static async Task RunProcessAsync(BenchSettings settings)
    {
        using var stop = new CancellationTokenSource();
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        await using var connection = await settings.RabbitConnectionAsync();
        var signal = new Messaging.Relay.OutboxSignal();

        await using var listener = await dataSource.OpenConnectionAsync();
        listener.Notification += (_, _) => signal.Set();
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        var listening = ListenAsync(listener, stop.Token);
        var loops = Enumerable.Range(0, Loops).Select(_ => LoopAsync(dataSource, connection, signal, stop.Token)).ToArray();
        await RelayProcess.ServeParentAsync();

        await stop.CancelAsync();
        await Task.WhenAll([.. loops, listening]);
    }

    private static async Task ListenAsync(NpgsqlConnection listener, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await listener.WaitAsync(stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task LoopAsync(NpgsqlDataSource dataSource, IConnection rabbit, Messaging.Relay.OutboxSignal signal, CancellationToken stop)
    {
        await using var channel = await rabbit.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stop);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (await RelayBatchAsync(dataSource, channel, stop) < BatchSize)
                {
                    await signal.WaitAsync(Poll, stop);
                }
                else
                {
                    // As ours: a full batch wakes another loop to claim beside this one.
                    signal.Set();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<int> RelayBatchAsync(NpgsqlDataSource dataSource, IChannel channel, CancellationToken stop)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stop);
        await using var transaction = await connection.BeginTransactionAsync(stop);
        var outboxes = new List<Guid>();
        var messages = new List<(long Sequence, Guid MessageId, byte[] Body, string ContentType)>();
        await using (var claim = new NpgsqlCommand(
            """
            SELECT s.outbox_id, m.sequence_number, m.message_id, m.body, m.content_type
            FROM (SELECT outbox_id FROM outbox_state ORDER BY created LIMIT $1 FOR UPDATE SKIP LOCKED) s
            JOIN outbox_message m ON m.outbox_id = s.outbox_id
            ORDER BY m.sequence_number
            """, connection, transaction))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = BatchSize });
            await using var reader = await claim.ExecuteReaderAsync(stop);
            while (await reader.ReadAsync(stop))
            {
                outboxes.Add(reader.GetGuid(0));
                messages.Add((reader.GetInt64(1), reader.GetGuid(2), System.Text.Encoding.UTF8.GetBytes(reader.GetString(3)), reader.GetString(4)));
            }
        }

        if (outboxes.Count == 0)
        {
            return 0;
        }

        await Task.WhenAll(messages.Select(async m =>
        {
            var properties = new BasicProperties { MessageId = m.MessageId.ToString(), ContentType = m.ContentType, DeliveryMode = DeliveryModes.Persistent };
            await channel.BasicPublishAsync(Exchange, "", mandatory: false, properties, m.Body, stop);
        }));

        await using (var delete = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM outbox_message WHERE sequence_number = ANY($1)") { Parameters = { new NpgsqlParameter { Value = messages.Select(m => m.Sequence).ToArray() } } },
                new NpgsqlBatchCommand("DELETE FROM outbox_state WHERE outbox_id = ANY($1)") { Parameters = { new NpgsqlParameter { Value = outboxes.ToArray() } } },
            },
        })
        {
            await delete.ExecuteNonQueryAsync(stop);
        }

        await transaction.CommitAsync(stop);
        return outboxes.Count;
    }
}
