using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Intent.Messaging.Outbox;

/// <summary>
/// The bus as seen from a scope with no message being consumed (an HTTP request, a job): sends
/// and publishes become outbox rows tracked by the scope's DbContext, so they commit, or roll
/// back, with the caller's own changes.
/// </summary>
public sealed class PostgresScopedBusContext<TBus, TDbContext>(
    TBus bus,
    TDbContext dbContext,
    IClientFactory clientFactory,
    IServiceProvider provider) : ScopedBusContext, OutboxSendContext
    where TBus : class, IBus
    where TDbContext : DbContext
{
    private readonly Lock _lock = new();
    private EntityEntry<OutboxState>? _outbox;
    private ISendEndpointProvider? _sendEndpointProvider;
    private IPublishEndpoint? _publishEndpoint;
    private IScopedClientFactory? _scopedClientFactory;

    public ISendEndpointProvider SendEndpointProvider =>
        _sendEndpointProvider ??= new OutboxSendEndpointProvider(this, bus);

    public IPublishEndpoint PublishEndpoint =>
        _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, bus));

    public IScopedClientFactory ClientFactory =>
        _scopedClientFactory ??= new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(clientFactory, provider)), null);

    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        lock (_lock)
        {
            // One outbox per commit: once the previous one was saved, later messages start a new one.
            if (_outbox is null || _outbox.State is EntityState.Unchanged or EntityState.Detached)
            {
                _outbox = dbContext.Add(new OutboxState { OutboxId = NewId.NextGuid(), Created = DateTime.UtcNow });
            }

            dbContext.Add(OutboxMessage.From(context, _outbox.Entity.OutboxId));
        }

        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => provider.GetService(serviceType);
}
