namespace Intent.Contracts.Runs;

/// <summary>Event: the run's snapshot exists.</summary>
public sealed record AudienceSnapshotMaterialized
{
    /// <summary>The run; the saga's correlation id.</summary>
    public required Guid RunId { get; init; }

    /// <summary>People scored on enough of the topics within the score range.</summary>
    public required long CandidateCount { get; init; }

    /// <summary>Candidates that also pass the filters: the snapshot's size.</summary>
    public required long ResultCount { get; init; }

    /// <summary>Content address of (organization, configHash, dataDate).</summary>
    public required string ResultKey { get; init; }

    /// <summary>True when an existing snapshot with the same key was reused.</summary>
    public bool Reused { get; init; }

    /// <summary>The run's attempt this message belongs to (1-based); 0 when not known.</summary>
    public int Attempt { get; init; }
}
