namespace Intent.Contracts.Runs;

/// <summary>Event: the run's snapshot could not be built, for a reason retrying will not fix.</summary>
public sealed record AudienceSnapshotFailed
{
    /// <summary>The run; the saga's correlation id.</summary>
    public required Guid RunId { get; init; }

    /// <summary>UPPER_SNAKE reason, e.g. NO_INTENT_DATA.</summary>
    public required string ErrorCode { get; init; }

    public required string ErrorMessage { get; init; }
}
