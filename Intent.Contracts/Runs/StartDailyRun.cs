namespace Intent.Contracts.Runs;

/// <summary>
/// Command: start one queued daily run. Written by the daily job for each run it queues and consumed
/// in batches: a run whose snapshot (same result key) is committed completes there, many per
/// transaction; any other run still queued is handed to the run saga as <see cref="MaterializeAudienceRun"/>.
/// </summary>
public sealed record StartDailyRun
{
    /// <summary>The run to start; also the run saga's correlation id.</summary>
    public required Guid RunId { get; init; }
}
