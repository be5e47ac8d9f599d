using Intent.Messaging.Outbox;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Intent.Messaging.Inbox;

/// <summary>
/// The consume context a consumer or saga sees under the PostgreSQL outbox: whatever it sends
/// becomes outbox rows in the same transaction as its own changes and the inbox mark. Delivery
/// is the delivery service's job once the transaction commits, so "consumed" also means
/// "handed to the outbox".
/// </summary>
public sealed class PostgresOutboxConsumeContext<TDbContext, TMessage>(
    ConsumeContext<TMessage> context,
    OutboxConsumeOptions options,
    IServiceProvider provider,
    TDbContext dbContext,
    InboxReceipt receipt,
    InboxStore? store) : OutboxConsumeContextProxy<TMessage>(context, options, provider)
    where TDbContext : DbContext
    where TMessage : class
{
    private readonly Lock _lock = new();
    private EntityEntry<OutboxState>? _outbox;

    public override Guid? MessageId => receipt.MessageId;

    public override bool ContinueProcessing { get; set; } = true;

    public override bool IsMessageConsumed => receipt.Consumed.HasValue;

    public override bool IsOutboxDelivered => receipt.Consumed.HasValue;

    public override int ReceiveCount => receipt.ReceiveCount;

    public override long? LastSequenceNumber => null;

    public override async Task SetConsumed()
    {
        var inbox = store ?? throw new InvalidOperationException("The message was already consumed.");
        await dbContext.SaveChangesAsync(CancellationToken);
        if (receipt.Unmarked.Count > 0)
        {
            await inbox.MarkConsumedAsync(receipt.Unmarked, ConsumerId, CancellationToken);
        }

        receipt.Consumed = receipt.ConsumedOnCommit ?? await inbox.MarkConsumedAsync(receipt.MessageId, ConsumerId, CancellationToken);
    }

    public override Task SetDelivered() => Task.CompletedTask;

    public override Task<List<OutboxMessageContext>> LoadOutboxMessages() => Task.FromResult(new List<OutboxMessageContext>());

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message) => Task.CompletedTask;

    public override Task RemoveOutboxMessages() => Task.CompletedTask;

    public override Task AddSend<T>(SendContext<T> context)
    {
        lock (_lock)
        {
            // Detached: an outbox template took the state it was captured with, or its rows were written already.
            if (_outbox is null || _outbox.State == EntityState.Detached)
            {
                _outbox = dbContext.Add(new OutboxState { OutboxId = NewId.NextGuid(), Created = DateTime.UtcNow });
            }

            dbContext.Add(OutboxMessage.From(context, _outbox.Entity.OutboxId));
        }

        return Task.CompletedTask;
    }
}
