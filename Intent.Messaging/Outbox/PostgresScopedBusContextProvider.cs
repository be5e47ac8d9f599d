using MassTransit;
using MassTransit.DependencyInjection;
using Microsoft.EntityFrameworkCore;

namespace Intent.Messaging.Outbox;

/// <summary>
/// Chooses how a scope reaches the bus: inside a consumer, through its consume context (and so
/// the consumer outbox); anywhere else, through the transactional bus outbox.
/// </summary>
public sealed class PostgresScopedBusContextProvider<TBus, TDbContext> : IScopedBusContextProvider<TBus>
    where TBus : class, IBus
    where TDbContext : DbContext
{
    public PostgresScopedBusContextProvider(
        TBus bus,
        TDbContext dbContext,
        Bind<TBus, IClientFactory> clientFactory,
        Bind<TBus, IScopedConsumeContextProvider> consumeContextProvider,
        IScopedConsumeContextProvider globalConsumeContextProvider,
        IServiceProvider provider)
    {
        if (consumeContextProvider.Value.HasContext)
        {
            Context = new ConsumeContextScopedBusContext(consumeContextProvider.Value.GetContext(), clientFactory.Value);
        }
        else if (globalConsumeContextProvider.HasContext)
        {
            Context = new ConsumeContextScopedBusContext(globalConsumeContextProvider.GetContext(), clientFactory.Value);
        }
        else
        {
            Context = new PostgresScopedBusContext<TBus, TDbContext>(bus, dbContext, clientFactory.Value, provider);
        }
    }

    public ScopedBusContext Context { get; }
}
