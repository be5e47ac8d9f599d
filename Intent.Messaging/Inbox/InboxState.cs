namespace Intent.Messaging.Inbox;

/// <summary>
/// That one consumer has received one message: the key of exactly-once handling. Rows expire
/// after the duplicate detection window and are swept in batches.
/// </summary>
public sealed class InboxState
{
    public Guid MessageId { get; set; }

    public Guid ConsumerId { get; set; }

    public DateTime Received { get; set; }

    public int ReceiveCount { get; set; }

    /// <summary>When the consumer's work (and its outgoing messages) committed.</summary>
    public DateTime? Consumed { get; set; }
}
