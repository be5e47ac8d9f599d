using MassTransit;

namespace Intent.Data.Runs;

/// <summary>
/// One materialization of an audience. The row is also the run saga's instance: the saga changes
/// it under a row lock in the same transaction as the messages it sends.
/// </summary>
public sealed class AudienceRun : SagaStateMachineInstance
{
    /// <summary>The run id (<c>id</c>).</summary>
    public Guid CorrelationId { get; set; }

    public Guid AudienceId { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>Saga state name; stored lower-case as the public status.</summary>
    public string Status { get; set; } = RunStatus.Queued;

    public RunType RunType { get; set; }

    /// <summary>The audience's normalized config when the run was queued.</summary>
    public string Config { get; set; } = "{}";

    public string ConfigHash { get; set; } = "";

    public DateOnly? DataDate { get; set; }

    public string? ResultKey { get; set; }

    public long CandidateCount { get; set; }

    public long ResultCount { get; set; }

    public int Attempts { get; set; }

    public DateTime? NextAttemptAt { get; set; }

    /// <summary>
    /// Last sign of life of the attempt in progress; a running run whose heartbeat is older than the
    /// lease is taken back as a new attempt. Not part of the public run.
    /// </summary>
    public DateTime? HeartbeatAt { get; set; }

    public string? IdempotencyKey { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? CompletedAt { get; set; }

    public DateTime? CancelledAt { get; set; }

    public DateTime? ReadyEmailSentAt { get; set; }

    public Guid? ReadyEmailExportId { get; set; }

    public string? ReadyEmailError { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
