using System.Data;
using Intent.Messaging.Configuration;
using Intent.Messaging.Diagnostics;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Intent.Messaging.Inbox;

/// <summary>
/// Runs each consumed message in one ReadCommitted transaction on the scope's DbContext: the inbox
/// row (locked), the consumer's or saga's changes and its outgoing messages commit together, or
/// not at all. A message already consumed by this consumer is acknowledged without running it again;
/// a batch consumer gets its batch without such messages.
/// </summary>
public sealed class PostgresOutboxContextFactory<TDbContext>(TDbContext dbContext, IServiceProvider provider, OutboxMetrics? metrics = null)
    : IOutboxContextFactory<TDbContext>
    where TDbContext : DbContext
{
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId()
            ?? throw new MessageException(typeof(T), "A message needs a MessageId to be consumed through the inbox.");
        var tables = OutboxTableNames.FromModel(dbContext.Model);

        InboxReceipt receipt;
        await using (var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken))
        {
            // Any failure rolls the whole transaction back, so SaveChanges needs no savepoint of its own (two round trips each).
            dbContext.Database.AutoSavepointsEnabled = false;
            try
            {
                var store = new InboxStore(
                    (NpgsqlConnection)dbContext.Database.GetDbConnection(),
                    (NpgsqlTransaction)transaction.GetDbTransaction(),
                    tables);
                var consumeContext = context;
                if (BatchMessages<T>.IsBatch)
                {
                    (receipt, consumeContext) = await ReceiveBatchAsync(store, context, messageId, options.ConsumerId);
                }
                else
                {
                    receipt = await store.ReceiveAsync(messageId, options.ConsumerId, context.CancellationToken);
                    if (receipt.Consumed.HasValue)
                    {
                        metrics?.DuplicateSkipped(context.ReceiveContext.InputAddress);
                    }
                }

                var outboxContext = new PostgresOutboxConsumeContext<TDbContext, T>(consumeContext, options, provider, dbContext, receipt, store);
                await next.Send(outboxContext);
                await transaction.CommitAsync(context.CancellationToken);

                if (!outboxContext.ContinueProcessing)
                {
                    return;
                }
            }
            catch
            {
                // Disposing the uncommitted transaction rolls it back; forget what it tracked too.
                dbContext.ChangeTracker.Clear();
                throw;
            }
        }

        // Committed: complete the pipe (consume observers, acknowledgement) outside any transaction.
        var completed = new PostgresOutboxConsumeContext<TDbContext, T>(context, options, provider, dbContext, receipt, store: null);
        await next.Send(completed);
    }

    /// <summary>
    /// Every message of a batch goes through the inbox (see <see cref="BatchMessages{T}"/>); the batch's receipt
    /// counts as consumed only when all of them were, and the consumer gets the batch without the consumed ones.
    /// </summary>
    private async Task<(InboxReceipt Receipt, ConsumeContext<T> Context)> ReceiveBatchAsync<T>(
        InboxStore store, ConsumeContext<T> context, Guid batchId, Guid consumerId)
        where T : class
    {
        var receipts = await store.ReceiveManyAsync(BatchMessages<T>.MessageIds(context), consumerId, context.CancellationToken);
        var consumed = receipts.Where(r => r.Consumed.HasValue).Select(r => r.MessageId).ToHashSet();
        metrics?.DuplicateSkipped(context.ReceiveContext.InputAddress, consumed.Count);

        var receiveCount = receipts.Count == 0 ? 1 : receipts.Max(r => r.ReceiveCount);
        if (consumed.Count == receipts.Count)
        {
            return (new InboxReceipt(batchId, receiveCount, receipts.Max(r => r.Consumed) ?? DateTime.UtcNow), context);
        }

        var receipt = new InboxReceipt(batchId, receiveCount, consumed: null)
        {
            ConsumedOnCommit = receipts.Max(r => r.ConsumedOnCommit),
            Unmarked = receipts.Where(r => r.Consumed is null && r.ConsumedOnCommit is null).Select(r => r.MessageId).ToList(),
        };
        return (receipt, BatchMessages<T>.Without(context, consumed));
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("outboxContextFactory");
        scope.Add("provider", "postgresql");
    }
}
