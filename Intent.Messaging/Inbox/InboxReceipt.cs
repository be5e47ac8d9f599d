namespace Intent.Messaging.Inbox;

/// <summary>What the inbox knows of one message for one consumer at the start of handling it.</summary>
public sealed class InboxReceipt(Guid messageId, int receiveCount, DateTime? consumed)
{
    public Guid MessageId { get; } = messageId;

    public int ReceiveCount { get; } = receiveCount;

    public DateTime? Consumed { get; set; } = consumed;

    /// <summary>The mark this delivery's own inbox row carries, visible once its transaction commits.</summary>
    public DateTime? ConsumedOnCommit { get; init; }

    /// <summary>Messages of a batch received before without being marked consumed (rows of an earlier version): marked on commit.</summary>
    public IReadOnlyCollection<Guid> Unmarked { get; init; } = [];
}
