namespace Intent.Contracts.Runs;

/// <summary>Event: a run completed; its results, stats and exports are available.</summary>
public sealed record AudienceRunCompleted
{
    /// <summary>The run; the saga's correlation id.</summary>
    public required Guid RunId { get; init; }

    public required long ResultCount { get; init; }

    public required string ResultKey { get; init; }
}
