namespace Intent.Pipeline.Runs;

/// <summary>How runs retry and how a lost attempt is noticed (configuration section <c>Runs</c>).</summary>
public sealed class RunAttemptOptions
{
    public const string SectionName = "Runs";

    /// <summary>Attempts before a run that keeps failing for a transient reason fails for good.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait before the second attempt.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Each further wait is this many times the one before.</summary>
    public double RetryBackoffFactor { get; set; } = 4;

    /// <summary>Each wait is moved randomly by up to this fraction of itself, so failed runs do not retry in lockstep.</summary>
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>A running attempt without a heartbeat for this long is taken back as a new attempt.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a materializing worker renews its lease; default a fifth of <see cref="Lease"/>.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>How often the scheduler looks for lost attempts and overdue retries.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Longest wait for a lock while materializing; a run that waits longer fails the attempt
    /// (MATERIALIZATION_TIMEOUT) and retries later instead of holding a worker.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest one materialization may take before the attempt fails (MATERIALIZATION_TIMEOUT); zero for none.</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public TimeSpan EffectiveHeartbeatInterval => HeartbeatInterval ?? Lease / 5;

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based), with jitter from <paramref name="random"/> in [0, 1).</summary>
    public TimeSpan RetryDelay(int attempt, double random)
    {
        var delay = RetryBaseDelay.TotalMilliseconds * Math.Pow(RetryBackoffFactor, Math.Max(0, attempt - 1));
        delay *= 1 + (RetryJitter * ((2 * random) - 1));
        return TimeSpan.FromMilliseconds(Math.Max(0, delay));
    }
}
