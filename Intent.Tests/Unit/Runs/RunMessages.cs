using Intent.Contracts.Runs;
using MassTransit;
using MassTransit.Events;
using MassTransit.Metadata;

namespace Intent.Tests.Unit.Runs;

/// <summary>The messages the run saga hears, as their senders build them.</summary>
public static class RunMessages
{
    public static MaterializeAudienceRun Materialize(Guid runId) =>
        new() { RunId = runId, AudienceId = Guid.NewGuid(), OrganizationId = Guid.NewGuid() };

    public static AudienceSnapshotMaterialized Materialized(Guid runId, int attempt, long candidates = 120, long results = 42) =>
        new() { RunId = runId, Attempt = attempt, CandidateCount = candidates, ResultCount = results, ResultKey = new string('k', 64) };

    public static AudienceSnapshotFailed Failed(Guid runId, int attempt, bool retryable, string code = "MATERIALIZATION_TIMEOUT",
        string message = "Waited too long for a lock") =>
        new() { RunId = runId, Attempt = attempt, Retryable = retryable, ErrorCode = code, ErrorMessage = message };

    /// <summary>What MassTransit publishes when the materialization consumer throws past its message retries.</summary>
    public static Fault<MaterializeAudienceSnapshot> Faulted(Guid runId, int attempt, Exception? exception = null) =>
        new FaultEvent<MaterializeAudienceSnapshot>(new MaterializeAudienceSnapshot { RunId = runId, Attempt = attempt }, NewId.NextGuid(),
            HostMetadataCache.Host, exception ?? new TimeoutException("The connection was lost."), [MessageUrn.ForTypeString<MaterializeAudienceSnapshot>()]);

    public static RecoverStuckRun Stuck(Guid runId, int attempt) => new() { RunId = runId, Attempt = attempt };
}
