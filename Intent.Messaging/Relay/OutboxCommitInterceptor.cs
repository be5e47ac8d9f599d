using System.Data.Common;
using System.Runtime.CompilerServices;
using Intent.Messaging.Configuration;
using Intent.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Intent.Messaging.Relay;

/// <summary>
/// Sees a DbContext commit outbox rows and hands it to <see cref="OutboxWakeUp"/>: after a save
/// outside a transaction, or when the transaction the rows were written in commits. A rollback
/// forgets them. Rows written by <see cref="OutboxBulkCopy"/> are marked through <see cref="MarkWritten"/>.
/// </summary>
public sealed class OutboxCommitInterceptor(OutboxWakeUp wakeUp) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly ConditionalWeakTable<DbContext, StrongBox<bool>> Written = [];

    /// <summary>Outbox rows were written in <paramref name="context"/>'s current work; wake the relays once it commits.</summary>
    public static void MarkWritten(DbContext context) => Written.GetOrCreateValue(context).Value = true;

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Track(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Track(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        CommittedIfOutsideTransaction(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        CommittedIfOutsideTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is { Database.CurrentTransaction: null } context)
        {
            Forget(context);
        }
    }

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

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

    private static void Track(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries<OutboxState>().Any(e => e.State == EntityState.Added))
        {
            MarkWritten(context);
        }
    }

    private void CommittedIfOutsideTransaction(DbContext? context)
    {
        if (context is { Database.CurrentTransaction: null })
        {
            Committed(context);
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is null || !Written.TryGetValue(context, out var written) || !written.Value)
        {
            return;
        }

        written.Value = false;
        if (context.Database.GetConnectionString() is { } connectionString)
        {
            wakeUp.Committed(connectionString, OutboxTableNames.FromModel(context.Model).Channel);
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null && Written.TryGetValue(context, out var written))
        {
            written.Value = false;
        }
    }
}
