namespace Intent.Contracts.Runs;

/// <summary>
/// Command to the run saga: the running attempt has not renewed its lease (its worker is gone);
/// take the run back as a new attempt. The saga checks the lease again before acting.
/// </summary>
public sealed record RecoverStuckRun
{
    /// <summary>The run; the saga's correlation id.</summary>
    public required Guid RunId { get; init; }

    /// <summary>The attempt found without a heartbeat.</summary>
    public required int Attempt { get; init; }
}
