namespace Intent.Messaging.Diagnostics;

/// <summary>
/// The outbox backlog, read from the database and reused for a few seconds, so metrics scrapes and
/// health checks from any number of callers cost one cheap query per interval.
/// </summary>
public interface IOutboxBacklog
{
    /// <summary>The backlog, at most a few seconds old; for synchronous callers such as metric callbacks.</summary>
    OutboxBacklogSnapshot Read();

    /// <summary>The backlog, at most a few seconds old.</summary>
    Task<OutboxBacklogSnapshot> ReadAsync(CancellationToken cancellationToken);
}
