using System.Diagnostics;
using System.Text;
using Npgsql;
using RabbitMQ.Client;

namespace Intent.Benchmarks.Outbox;

/// <summary>What PostgreSQL and RabbitMQ do with no Intent code in between: the ceilings our figures are ratios of.</summary>
public static class Ceilings
{
    /// <summary>
    /// Transactions per second that insert one outbox state and one message row (the bus outbox's
    /// write) straight through Npgsql, from <paramref name="concurrency"/> connections.
    /// </summary>
    public static async Task<double> PostgresInsertTransactionsPerSecondAsync(
        string connectionString, OutboxRowSample sample, int transactions, int concurrency)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            while (Interlocked.Increment(ref next) < transactions)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                await using var batch = sample.Insert(connection, transaction, Guid.NewGuid());
                await batch.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }
        }));
        var rate = transactions / watch.Elapsed.TotalSeconds;

        await using var cleanup = dataSource.CreateCommand("TRUNCATE outbox_message, outbox_state");
        await cleanup.ExecuteNonQueryAsync();
        return rate;
    }

    /// <summary>
    /// Messages per second published to <paramref name="exchange"/> with publisher confirms, straight
    /// through RabbitMQ.Client, with <paramref name="inFlight"/> unconfirmed publishes at a time.
    /// </summary>
    public static async Task<double> RabbitMqConfirmedPublishesPerSecondAsync(
        BenchSettings settings, string exchange, OutboxRowSample sample, int messages, int inFlight)
    {
        await using var connection = await settings.RabbitConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var body = Encoding.UTF8.GetBytes(sample.Body);
        var properties = new BasicProperties { ContentType = sample.ContentType, DeliveryMode = DeliveryModes.Persistent };

        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < messages)
            {
                properties.MessageId = Guid.NewGuid().ToString();
                await channel.BasicPublishAsync(exchange, "", mandatory: false, properties, body);
            }
        }));
        return messages / watch.Elapsed.TotalSeconds;
    }

    /// <summary>A durable queue bound to <paramref name="exchange"/>, so published messages are routed and stored as in production.</summary>
    public static async Task DeclareSinkAsync(BenchSettings settings, string exchange, string queue, bool purge)
    {
        await using var connection = await settings.RabbitConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, exchange, "");
        if (purge)
        {
            await channel.QueuePurgeAsync(queue);
        }
    }

    /// <summary>Deletes the sink <paramref name="queue"/> with what it holds, so nothing but the consumers' own queues is routed to.</summary>
    public static async Task DeleteSinkAsync(BenchSettings settings, string queue)
    {
        await using var connection = await settings.RabbitConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }
}
