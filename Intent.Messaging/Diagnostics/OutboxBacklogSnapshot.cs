namespace Intent.Messaging.Diagnostics;

/// <summary>What waits in the outbox at one moment: how many messages, and how long the oldest has waited.</summary>
/// <param name="Pending">Messages committed to the outbox and not yet handed to the broker.</param>
/// <param name="OldestAge">Age of the oldest undelivered outbox; zero when nothing waits.</param>
/// <param name="ReadAt">When the database was asked.</param>
public readonly record struct OutboxBacklogSnapshot(long Pending, TimeSpan OldestAge, DateTime ReadAt);
