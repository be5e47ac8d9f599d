using System.Diagnostics;
using Intent.Messaging.Configuration;
using Intent.Messaging.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intent.Messaging.Relay;

/// <summary>
/// Relays committed outbox rows to the broker. Wakes at once when any process commits outbox rows
/// (LISTEN/NOTIFY), polls as a fallback, drains in batches while there is work, and backs off
/// while the broker or the database fails; the rows wait meanwhile. Any number of processes can
/// run it side by side. A stop lets the sends on their way finish and leaves the rest for later.
/// </summary>
public sealed class PostgresOutboxRelayService<TDbContext>(
    IServiceProvider provider,
    IServiceScopeFactory scopeFactory,
    IBus bus,
    IOptions<PostgresOutboxOptions> options,
    IEnumerable<IOutboxRelayObserver> observers,
    ILogger<PostgresOutboxRelayService<TDbContext>> logger,
    OutboxWakeUp wakeUp,
    OutboxMetrics? metrics = null) : BackgroundService
    where TDbContext : DbContext
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly OutboxSignal _signal = new();

    // Cancelled only when the host stops waiting for this service: sends on their way are finished, not cancelled.
    private readonly CancellationTokenSource _abandon = new();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(_abandon.Cancel))
        {
            await base.StopAsync(cancellationToken);
        }
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // MassTransit's spans and instruments hang off its log context, which is per async flow: give the relay's one.
        LogContext.ConfigureCurrentLogContextIfNull(provider);

        string connectionString;
        OutboxTableNames tables;
        await using (var scope = scopeFactory.CreateAsyncScope())
        {
            var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();
            connectionString = dbContext.Database.GetConnectionString()
                ?? throw new InvalidOperationException($"{typeof(TDbContext).Name} has no connection string for the outbox delivery service.");
            tables = OutboxTableNames.FromModel(dbContext.Model);
        }

        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.KeepAlive = 15;
        builder.ConnectionStringBuilder.ApplicationName = "outbox-delivery";

        // The listener's connection LISTENs: reset every connection before reuse so no other holds a LISTEN.
        builder.ConnectionStringBuilder.NoResetOnClose = false;

        // Polls and claims of an idle relay would each be a trace of one statement: trace only statements inside a trace.
        builder.ConfigureTracing(tracing => tracing.ConfigureCommandFilter(_ => Activity.Current is not null));
        await using var dataSource = builder.Build();

        wakeUp.Register(_signal);
        var listener = new OutboxNotificationListener(dataSource, tables.Channel, _signal, logger);
        var listening = listener.RunAsync(stoppingToken);

        var batch = new OutboxRelayBatch(dataSource, tables, bus, options.Value, observers, logger, metrics);
        // Several loops per process: a commit that lands while one batch is on its way to the broker
        // is claimed by an idle loop at once instead of waiting for that batch to finish.
        var loops = Enumerable.Range(0, Math.Max(1, options.Value.RelayLoops)).Select(_ => DeliverAsync(batch, stoppingToken));
        await Task.WhenAll(loops);
        await listening;
    }

    private async Task DeliverAsync(OutboxRelayBatch batch, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var retryDelay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await batch.RunAsync(stoppingToken, _abandon.Token);
                if (result.Failed)
                {
                    await Task.Delay(retryDelay, stoppingToken);
                    retryDelay = Min(retryDelay * 2, settings.MaxRetryDelay);
                    continue;
                }

                retryDelay = FirstRetryDelay;
                if (result.Claimed >= settings.RelayBatchSize)
                {
                    // A full batch: more is waiting, and one wake-up woke only this loop. Wake another to claim beside it,
                    // so a backlog is drained by every loop, not one batch at a time.
                    _signal.Set();
                    continue;
                }

                await _signal.WaitAsync(settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The relay must outlive any failure: rows stay in the outbox and the next attempt sends them.
                logger.LogWarning(exception, "Outbox delivery failed; retrying in {Delay}", retryDelay);
                try
                {
                    await Task.Delay(retryDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retryDelay = Min(retryDelay * 2, settings.MaxRetryDelay);
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
