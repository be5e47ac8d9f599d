namespace Intent.Contracts.Runs;

/// <summary>
/// Command: materialize one queued audience run. Sent through the transactional outbox in the
/// same commit that stores the run. <see cref="RunId"/> is the correlation id of the run saga.
/// </summary>
public sealed record MaterializeAudienceRun
{
    /// <summary>The run to materialize; also the saga's correlation id.</summary>
    public required Guid RunId { get; init; }

    /// <summary>The audience the run belongs to.</summary>
    public required Guid AudienceId { get; init; }

    /// <summary>The organization that owns the audience.</summary>
    public required Guid OrganizationId { get; init; }
}
