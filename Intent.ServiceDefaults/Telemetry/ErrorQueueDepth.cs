using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Intent.ServiceDefaults.Telemetry;

/// <summary>
/// <c>intent.broker.error_queue.messages</c>: messages waiting in the virtual host's <c>_error</c>
/// queues, read from the management API at most every <see cref="RefreshInterval"/> (a scrape returns the
/// last reading and starts the next in the background). Reports nothing while no management API is configured.
/// </summary>
public sealed class ErrorQueueDepth : IDisposable
{
    public const string MeterName = "Intent.Broker";

    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private readonly RabbitMqQueues _queues;
    private readonly ILogger<ErrorQueueDepth> _logger;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private long? _messages;
    private DateTime _readAt = DateTime.MinValue;
    private int _refreshing;

    public ErrorQueueDepth(RabbitMqQueues queues, IMeterFactory? meterFactory, ILogger<ErrorQueueDepth> logger)
    {
        _queues = queues;
        _logger = logger;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge("intent.broker.error_queue.messages", Observe, "{message}",
            "Messages waiting in the virtual host's _error queues (messages that kept failing), all queues together.");
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        if (!_queues.Watched)
        {
            return [];
        }

        if (DateTime.UtcNow - _readAt > RefreshInterval && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshAsync();
        }

        return _messages is { } messages ? [new Measurement<long>(messages)] : [];
    }

    private async Task RefreshAsync()
    {
        try
        {
            var all = await _queues.ListAsync(CancellationToken.None);
            _messages = all.Where(q => RabbitMqQueues.IsErrorQueue(q.Name)).Sum(q => q.Messages);
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException)
        {
            _logger.LogDebug(exception, "Error queue depth not read: the RabbitMQ management API did not answer");
        }
        finally
        {
            _readAt = DateTime.UtcNow;
            Volatile.Write(ref _refreshing, 0);
        }
    }
}
