namespace Intent.Contracts.Runs;

/// <summary>Command from the run saga to the materialization consumer: build (or reuse) the run's snapshot.</summary>
public sealed record MaterializeAudienceSnapshot
{
    /// <summary>The run; the saga's correlation id.</summary>
    public required Guid RunId { get; init; }

    /// <summary>The run's attempt this message belongs to (1-based); 0 when not known.</summary>
    public int Attempt { get; init; }
}
