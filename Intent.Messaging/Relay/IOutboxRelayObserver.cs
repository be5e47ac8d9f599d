using Intent.Messaging.Outbox;

namespace Intent.Messaging.Relay;

/// <summary>
/// Told about each delivery batch after its messages reached the broker and before their rows are
/// deleted. Throwing aborts the batch's transaction: the rows stay and are sent again, which the
/// receiving inboxes deduplicate.
/// </summary>
public interface IOutboxRelayObserver
{
    Task BatchSent(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken);
}
