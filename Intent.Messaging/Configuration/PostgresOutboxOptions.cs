namespace Intent.Messaging.Configuration;

/// <summary>Settings of the outbox delivery service and the inbox sweeper.</summary>
public sealed class PostgresOutboxOptions
{
    /// <summary>How many outboxes one relay transaction claims.</summary>
    public int RelayBatchSize { get; set; } = 200;

    /// <summary>How many relay transactions one process runs at once (they claim disjoint outboxes).</summary>
    public int RelayLoops { get; set; } = 8;

    /// <summary>How many outboxes of a batch are sent to the broker at once (each in its own order).</summary>
    public int RelayParallelism { get; set; } = 64;

    /// <summary>Whether a commit of outbox rows also wakes other processes' relays (a <c>NOTIFY</c> after the commit); this process's are woken anyway.</summary>
    public bool WakeUpOtherProcesses { get; set; } = true;

    /// <summary>The default of <see cref="WakeUpInterval"/>.</summary>
    public static readonly TimeSpan DefaultWakeUpInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The shortest pause between two wake-up notifications one process sends, however many commits ask.</summary>
    public TimeSpan WakeUpInterval { get; set; } = DefaultWakeUpInterval;

    /// <summary>How often the delivery service looks for work when no notification arrived.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one send to the broker may take before it counts as failed.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest pause between delivery attempts while the broker or database fails.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a consumed message id is remembered to discard duplicates.</summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the inbox sweeper runs.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many expired inbox rows one sweeper statement deletes.</summary>
    public int CleanupBatchSize { get; set; } = 10_000;

    /// <summary>How long the oldest undelivered message may wait before the backlog counts as an alarm (health: degraded).</summary>
    public TimeSpan BacklogAlarmAge { get; set; } = TimeSpan.FromSeconds(60);
}
