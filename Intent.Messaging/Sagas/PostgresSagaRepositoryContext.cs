using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Intent.Messaging.Sagas;

/// <summary>
/// Saga persistence for one consumed message, inside the transaction of the consumer outbox (or
/// its own): instances are loaded with a row lock, so concurrent events for one instance run one
/// after the other and each sees the state the previous one committed.
/// </summary>
public sealed class PostgresSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>, IDisposable
    where TSaga : class, ISaga
    where TMessage : class
{
    private readonly DbContext _dbContext;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;
    private readonly SemaphoreSlim _inUse = new(1);

    public PostgresSagaRepositoryContext(DbContext dbContext, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<DbContext, TSaga> factory)
        : base(consumeContext, dbContext)
    {
        _dbContext = dbContext;
        _consumeContext = consumeContext;
        _factory = factory;
    }

    public void Dispose() => _inUse.Dispose();

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        var transaction = _dbContext.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Saga inserts run inside the repository's transaction.");
        const string savepoint = "saga_insert";
        await transaction.CreateSavepointAsync(savepoint, CancellationToken);
        var entry = _dbContext.Set<TSaga>().Add(instance);
        try
        {
            await _dbContext.SaveChangesAsync(CancellationToken);
            await transaction.ReleaseSavepointAsync(savepoint, CancellationToken);
            return await _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Insert);
        }
        catch (DbUpdateException)
        {
            // Another message created the instance first; the caller loads it instead.
            entry.State = EntityState.Detached;
            await transaction.RollbackToSavepointAsync(savepoint, CancellationToken);
            return default!;
        }
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await _dbContext.Set<TSaga>()
            .FromSqlRaw(SagaLockStatement.For<TSaga>(_dbContext), correlationId)
            .AsTracking()
            .SingleOrDefaultAsync(CancellationToken);
        return instance is null
            ? default!
            : await _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public Task Save(SagaConsumeContext<TSaga> context) => Exclusive(() =>
    {
        _dbContext.Set<TSaga>().Add(context.Saga);
        return _dbContext.SaveChangesAsync(CancellationToken);
    });

    public Task Update(SagaConsumeContext<TSaga> context) => Exclusive(() => _dbContext.SaveChangesAsync(CancellationToken));

    public Task Delete(SagaConsumeContext<TSaga> context) => Exclusive(() =>
    {
        _dbContext.Set<TSaga>().Remove(context.Saga);
        return _dbContext.SaveChangesAsync(CancellationToken);
    });

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context) => Exclusive(() =>
    {
        var entry = _dbContext.ChangeTracker.Entries<TSaga>().FirstOrDefault(e => e.Entity.CorrelationId == context.Saga.CorrelationId);
        if (entry is not null)
        {
            entry.State = EntityState.Unchanged;
        }

        return Task.FromResult(0);
    });

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_dbContext, consumeContext, instance, mode);

    private async Task Exclusive(Func<Task<int>> action)
    {
        await _inUse.WaitAsync(CancellationToken);
        try
        {
            await action();
        }
        finally
        {
            _inUse.Release();
        }
    }
}
