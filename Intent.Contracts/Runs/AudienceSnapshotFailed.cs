namespace Intent.Contracts.Runs;

/// <summary>
/// Event: the run's snapshot could not be built. <see cref="Retryable"/> says whether another attempt
/// may succeed (a timeout, a lock) or not (no data for the date, an invalid config).
/// </summary>
public sealed record AudienceSnapshotFailed
{
    /// <summary>The run; the saga's correlation id.</summary>
    public required Guid RunId { get; init; }

    /// <summary>UPPER_SNAKE reason, e.g. NO_INTENT_DATA.</summary>
    public required string ErrorCode { get; init; }

    public required string ErrorMessage { get; init; }

    /// <summary>The run's attempt this message belongs to (1-based); 0 when not known.</summary>
    public int Attempt { get; init; }

    /// <summary>True when another attempt may succeed; false (the default) fails the run at once.</summary>
    public bool Retryable { get; init; }
}
