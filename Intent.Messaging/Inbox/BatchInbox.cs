using MassTransit;
using MassTransit.Batching;
using MassTransit.Context;

namespace Intent.Messaging.Inbox;

/// <summary>The typed steps of <see cref="BatchMessages{T}"/>.</summary>
internal static class BatchInbox
{
    public static IReadOnlyList<Guid> MessageIds<TMessage>(ConsumeContext<Batch<TMessage>> context)
        where TMessage : class =>
        context.Message.Select(m => Id(m)).ToList();

    public static ConsumeContext<Batch<TMessage>> Without<TMessage>(ConsumeContext<Batch<TMessage>> context, IReadOnlySet<Guid> consumed)
        where TMessage : class
    {
        var batch = context.Message;
        var left = batch.Where(m => !consumed.Contains(Id(m))).ToList();
        return new BatchConsumeContext<TMessage>(context, new MessageBatch<TMessage>(batch.FirstMessageReceived, batch.LastMessageReceived, batch.Mode, left));
    }

    private static Guid Id<TMessage>(ConsumeContext<TMessage> message)
        where TMessage : class =>
        message.GetOriginalMessageId() ?? throw new MessageException(typeof(TMessage), "A message needs a MessageId to be consumed through the inbox.");
}
