using Intent.Messaging.Diagnostics;
using Intent.Messaging.Relay;
using Intent.Messaging.Inbox;
using Intent.Messaging.Outbox;
using Intent.Messaging.Sagas;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intent.Messaging.Configuration;

/// <summary>Registration of MassTransit's outbox, inbox and saga persistence on PostgreSQL.</summary>
public static class PostgresOutboxRegistrationExtensions
{
    /// <summary>
    /// Adds the transactional outbox on <typeparamref name="TDbContext"/>: the inbox and consumer
    /// outbox on every receive endpoint (unless configured manually), the bus outbox when asked
    /// (<see cref="PostgresOutboxConfigurator.UseBusOutbox"/>), the delivery service and the inbox sweeper;
    /// and its instruments (<see cref="OutboxMetrics"/>, meter <see cref="OutboxMetrics.MeterName"/>) and
    /// backlog reader (<see cref="IOutboxBacklog"/>).
    /// </summary>
    public static IBusRegistrationConfigurator AddPostgresOutbox<TDbContext>(
        this IBusRegistrationConfigurator configurator,
        Action<PostgresOutboxConfigurator>? configure = null)
        where TDbContext : DbContext
    {
        var outbox = new PostgresOutboxConfigurator();
        configure?.Invoke(outbox);

        var options = configurator.AddOptions<PostgresOutboxOptions>();
        foreach (var action in outbox.OptionActions)
        {
            options.Configure(action);
        }

        configurator.TryAddScoped<IOutboxContextFactory<TDbContext>, PostgresOutboxContextFactory<TDbContext>>();
        configurator.TryAddSingleton(TimeProvider.System);
        configurator.TryAddSingleton<IOutboxBacklog, OutboxBacklog<TDbContext>>();
        configurator.TryAddSingleton(services => new OutboxMetrics(services.GetService<IMeterFactory>(), services.GetRequiredService<IOutboxBacklog>()));
        configurator.TryAddSingleton(services =>
        {
            var settings = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PostgresOutboxOptions>>().Value;
            return new OutboxWakeUp(services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<OutboxWakeUp>>())
            {
                NotifyOtherProcesses = settings.WakeUpOtherProcesses,
                Interval = settings.WakeUpInterval,
            };
        });
        configurator.TryAddSingleton<OutboxCommitInterceptor>();
        // Every context of this type reports its outbox commits, however the application registered it.
        configurator.ConfigureDbContext<TDbContext>((services, db) => db.AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor>()));

        if (outbox.BusOutbox)
        {
            configurator.ReplaceScoped<IScopedBusContextProvider<IBus>, PostgresScopedBusContextProvider<IBus, TDbContext>>();
        }

        if (outbox.Relay)
        {
            configurator.AddHostedService<PostgresOutboxRelayService<TDbContext>>();
        }

        if (outbox.InboxCleanup)
        {
            configurator.AddHostedService<InboxCleanupService<TDbContext>>();
        }

        if (outbox.AllEndpoints)
        {
            configurator.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UsePostgresOutbox<TDbContext>(context));
        }

        return configurator;
    }

    /// <summary>Every consumer and saga on this endpoint handles each message once, through the inbox and consumer outbox.</summary>
    public static void UsePostgresOutbox<TDbContext>(this IReceiveEndpointConfigurator configurator, IRegistrationContext context)
        where TDbContext : DbContext
    {
        var observer = new OutboxConsumePipeSpecificationObserver<TDbContext>(configurator, context);
        configurator.ConnectConsumerConfigurationObserver(observer);
        configurator.ConnectSagaConfigurationObserver(observer);
    }

    /// <summary>Persists the saga in <typeparamref name="TDbContext"/> (mapped by the application) with row locks.</summary>
    public static ISagaRegistrationConfigurator<TSaga> PostgresRepository<TSaga, TDbContext>(this ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
        where TDbContext : DbContext
    {
        configurator.Repository(repository =>
        {
            repository.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>,
                PostgresSagaRepositoryContextFactory<TDbContext, TSaga>>();
            repository.RegisterLoadSagaRepository<TSaga, PostgresSagaRepositoryContextFactory<TDbContext, TSaga>>();
            repository.RegisterQuerySagaRepository<TSaga, PostgresSagaRepositoryContextFactory<TDbContext, TSaga>>();
        });
        return configurator;
    }
}
