using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Intent.Messaging.Sagas;

/// <summary>Reads saga instances outside message handling (no locks, no tracking).</summary>
public sealed class PostgresSagaReadContext<TSaga>(DbContext dbContext, CancellationToken cancellationToken)
    : BasePipeContext(cancellationToken), LoadSagaRepositoryContext<TSaga>, QuerySagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    public Task<TSaga> Load(Guid correlationId) =>
        dbContext.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(saga => saga.CorrelationId == correlationId, CancellationToken)!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        var ids = await dbContext.Set<TSaga>().AsNoTracking()
            .Where(query.FilterExpression)
            .Select(saga => saga.CorrelationId)
            .ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}
