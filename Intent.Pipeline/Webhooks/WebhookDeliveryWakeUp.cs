using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// Wakes this process's delivery loop when a transaction that queued deliveries commits (the fan-out marks its
/// context with <see cref="Queued"/>), so a fresh event is sent at once rather than at the next poll. A rollback forgets the mark.
/// </summary>
public sealed class WebhookDeliveryWakeUp(WebhookDeliverySignal signal) : IDbTransactionInterceptor
{
    private static readonly ConditionalWeakTable<DbContext, StrongBox<bool>> Marked = [];

    /// <summary>Deliveries were queued in <paramref name="context"/>'s current transaction.</summary>
    public static void Queued(DbContext context) => Marked.GetOrCreateValue(context).Value = true;

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && Marked.TryGetValue(context, out var marked) && marked.Value)
        {
            marked.Value = false;
            signal.Set();
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null && Marked.TryGetValue(context, out var marked))
        {
            marked.Value = false;
        }
    }
}
