namespace Intent.Messaging.Outbox;

/// <summary>
/// One row per outbox with undelivered messages. The delivery service locks these rows
/// (<c>FOR UPDATE SKIP LOCKED</c>) so each outbox is relayed by one process at a time, in order.
/// Its commit wakes the delivery services (<see cref="Relay.OutboxWakeUp"/>, after the commit).
/// </summary>
public sealed class OutboxState
{
    public Guid OutboxId { get; set; }

    public DateTime Created { get; set; }
}
