using System.Diagnostics;
using Intent.Messaging.Configuration;
using Intent.Messaging.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Intent.Benchmarks.Outbox;

/// <summary>
/// The floor of commit-to-consume latency: the same outbox rows inserted and committed with raw Npgsql, the
/// relays woken as ours are (<see cref="OutboxWakeUp"/>: a <c>NOTIFY</c> after the commit, coalesced to one every
/// <see cref="PostgresOutboxOptions.DefaultWakeUpInterval"/>) or, with a plain wake-up, by a <c>NOTIFY</c> inside
/// every writing transaction (which serializes the commits of writers), <see cref="RawRelay"/> in another process
/// publishing with raw RabbitMQ.Client and confirms, and a raw RabbitMQ.Client consumer here, which acknowledges
/// each message.
/// </summary>
public sealed class RawPipeline : IAsyncDisposable
{
    private const string Queue = "bench-raw";
    private readonly NpgsqlDataSource _dataSource;
    private readonly IConnection _rabbit;
    private readonly IChannel _channel;
    private readonly OutboxRowSample _sample;
    private readonly string _connectionString;
    private readonly bool _notifyInEveryCommit;
    private readonly OutboxWakeUp _wakeUp = new(NullLogger<OutboxWakeUp>.Instance) { Interval = PostgresOutboxOptions.DefaultWakeUpInterval };

    private RawPipeline(string connectionString, NpgsqlDataSource dataSource, IConnection rabbit, IChannel channel, OutboxRowSample sample, bool notifyInEveryCommit)
    {
        _connectionString = connectionString;
        _notifyInEveryCommit = notifyInEveryCommit;
        _dataSource = dataSource;
        _rabbit = rabbit;
        _channel = channel;
        _sample = sample;
    }

    public LatencyRecorder Recorder { get; } = new();

    public static async Task<RawPipeline> StartAsync(BenchSettings settings, OutboxRowSample sample, bool notifyInEveryCommit)
    {
        var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        var rabbit = await settings.RabbitConnectionAsync();
        var channel = await rabbit.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(RawRelay.Exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(Queue, RawRelay.Exchange, "");
        await channel.QueuePurgeAsync(Queue);
        await channel.BasicQosAsync(0, 32, false);

        var pipeline = new RawPipeline(settings.ConnectionString, dataSource, rabbit, channel, sample, notifyInEveryCommit);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            pipeline.Recorder.Received.TryAdd(IdOf(Guid.Parse(delivery.BasicProperties.MessageId!)), Stopwatch.GetTimestamp());
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(Queue, autoAck: false, consumer);
        return pipeline;
    }

    /// <summary>Commits one message's outbox rows in one transaction (one round trip) that wakes the relay or is followed by its wake-up.</summary>
    public async Task WriteAsync(long id)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var batch = _sample.Insert(connection, null, MessageIdOf(id));
        if (_notifyInEveryCommit)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{RawRelay.Channel}', '')"));
        }

        await batch.ExecuteNonQueryAsync();
        Recorder.Committed.TryAdd(id, Stopwatch.GetTimestamp());
        if (!_notifyInEveryCommit)
        {
            _wakeUp.Committed(_connectionString, RawRelay.Channel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _wakeUp.DisposeAsync();
        await _channel.CloseAsync();
        await _channel.DisposeAsync();
        await _rabbit.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    private static Guid MessageIdOf(long id) => Guid.Parse($"00000000-0000-4000-8000-{id:x12}");

    private static long IdOf(Guid messageId) => Convert.ToInt64(messageId.ToString("N")[20..], 16);
}
