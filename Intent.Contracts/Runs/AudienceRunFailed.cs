namespace Intent.Contracts.Runs;

/// <summary>Event: a run failed.</summary>
public sealed record AudienceRunFailed
{
    /// <summary>The run; the saga's correlation id.</summary>
    public required Guid RunId { get; init; }

    public required string ErrorCode { get; init; }

    public required string ErrorMessage { get; init; }
}
