using System.Data;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Intent.Messaging.Sagas;

/// <summary>
/// Saga repository on the scope's DbContext with pessimistic locking. Under the consumer outbox it
/// joins that transaction, so a state change and the messages it sends commit together; without
/// it, each message gets its own ReadCommitted transaction.
/// </summary>
public sealed class PostgresSagaRepositoryContextFactory<TDbContext, TSaga>(
    TDbContext dbContext,
    ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory) :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TDbContext : DbContext
    where TSaga : class, ISaga
{
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        InTransactionAsync(async () =>
        {
            var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T>(dbContext, context, consumeContextFactory);
            await next.Send(repositoryContext);
        }, context.CancellationToken);

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class =>
        InTransactionAsync(async () =>
        {
            var ids = await dbContext.Set<TSaga>().AsNoTracking()
                .Where(query.FilterExpression)
                .Select(saga => saga.CorrelationId)
                .ToListAsync(context.CancellationToken);

            // Each matching instance is locked as the state machine loads it.
            var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T>(dbContext, context, consumeContextFactory);
            await next.Send(new DefaultSagaRepositoryQueryContext<TSaga, T>(repositoryContext, ids));
        }, context.CancellationToken);

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new PostgresSagaReadContext<TSaga>(dbContext, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new PostgresSagaReadContext<TSaga>(dbContext, cancellationToken));

    public void Probe(ProbeContext context) => context.Add("persistence", "postgresql");

    private async Task InTransactionAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        if (dbContext.Database.CurrentTransaction is not null)
        {
            await work();
            return;
        }

        await using var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        try
        {
            await work();
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            dbContext.ChangeTracker.Clear();
            throw;
        }
    }
}
