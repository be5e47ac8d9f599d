using Intent.Messaging.Configuration;
using Intent.Messaging.Relay;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>What one messaging test host runs.</summary>
public sealed class MessagingHostOptions
{
    public bool Consumers { get; set; } = true;

    public bool Saga { get; set; }

    public bool Relay { get; set; } = true;

    /// <summary>Messages one receive endpoint handles at once; 1 keeps the queue's order.</summary>
    public int? ConcurrentMessageLimit { get; set; }

    public IOutboxRelayObserver? RelayObserver { get; set; }

    public Action<PostgresOutboxOptions>? Outbox { get; set; }

    /// <summary>The database of the host's outbox, inbox and consumers (e.g. one that cannot be reached).</summary>
    public string ConnectionString { get; set; } = TestSettings.ConnectionString;
}

/// <summary>
/// A process-like host with MassTransit on the real RabbitMQ and the PostgreSQL outbox on
/// <see cref="MessagingTestDbContext"/>. Hosts started with one queue prefix share their queues,
/// like several instances of one service.
/// </summary>
public sealed class MessagingTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private MessagingTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<MessagingTestHost> StartAsync(string queuePrefix, Action<MessagingHostOptions>? configure = null)
    {
        var options = new MessagingHostOptions();
        configure?.Invoke(options);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TestHostLoggerProvider($"messaging {queuePrefix}")).AddFilter((_, level) => level >= LogLevel.Warning);
        builder.Services.AddDbContext<MessagingTestDbContext>(db => MessagingTestDbContext.Configure(db, options.ConnectionString));
        if (options.RelayObserver is not null)
        {
            builder.Services.AddSingleton(options.RelayObserver);
        }

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(queuePrefix, false));
            bus.AddPostgresOutbox<MessagingTestDbContext>(outbox =>
            {
                outbox.UseBusOutbox().DisableInboxCleanupService();
                if (!options.Relay)
                {
                    outbox.DisableRelay();
                }

                if (options.Outbox is not null)
                {
                    outbox.Options(options.Outbox);
                }
            });

            if (options.Consumers)
            {
                bus.AddConsumer<TestEventConsumer>();
                bus.AddConsumer<TestCommandConsumer>();
                bus.AddConsumer<CounterChangedConsumer>();
                bus.AddConsumer<TestBatchConsumer>(c => c.Options<BatchOptions>(batch => batch.SetMessageLimit(10).SetTimeLimit(TimeSpan.FromMilliseconds(500))));
            }

            if (options.Saga)
            {
                bus.AddSagaStateMachine<CounterStateMachine, CounterState>().PostgresRepository<CounterState, MessagingTestDbContext>();
            }

            bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
            {
                endpoint.UseMessageRetry(retry => retry.Immediate(5));
                if (options.ConcurrentMessageLimit is { } limit)
                {
                    endpoint.ConcurrentMessageLimit = limit;
                    endpoint.PrefetchCount = limit;
                }
            });

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(TestSettings.RabbitMqHost, ushort.Parse(TestSettings.RabbitMqPort, System.Globalization.CultureInfo.InvariantCulture),
                    TestSettings.RabbitMqVirtualHost, host =>
                    {
                        host.Username(TestSettings.RabbitMqUsername);
                        host.Password(TestSettings.RabbitMqPassword);
                    });
                rabbit.ConfigureEndpoints(context);
            });
        });

        var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        return new MessagingTestHost(host);
    }

    /// <summary>Publishes through the bus outbox inside one transaction of a new scope, then commits or rolls back.</summary>
    public async Task PublishInTransactionAsync(IEnumerable<object> messages, bool commit = true, Action<PublishContext>? configure = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();

        await using var transaction = await db.Database.BeginTransactionAsync();
        foreach (var message in messages)
        {
            await publisher.Publish(message, context => configure?.Invoke(context));
        }

        await db.SaveChangesAsync();
        if (commit)
        {
            await transaction.CommitAsync();
        }
        else
        {
            await transaction.RollbackAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
