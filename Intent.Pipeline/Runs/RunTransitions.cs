using Intent.Contracts.Runs;
using Intent.Data.Runs;

namespace Intent.Pipeline.Runs;

/// <summary>What each transition of the run saga writes on the run, at the time it is given.</summary>
public static class RunTransitions
{
    private const int MaxErrorMessageLength = 2000;

    public static void Start(AudienceRun run, DateTime now)
    {
        run.Attempts++;
        run.StartedAt = now;
        run.NextAttemptAt = null;

        // No lease until a worker picks the attempt up: waiting in a long queue is not being stuck.
        run.HeartbeatAt = null;
        run.UpdatedAt = now;
    }

    /// <summary>Back to the queue until <paramref name="nextAttemptAt"/>; the failed attempt's error stays visible meanwhile.</summary>
    public static void Retry(AudienceRun run, DateTime nextAttemptAt, DateTime now)
    {
        run.NextAttemptAt = nextAttemptAt;
        run.HeartbeatAt = null;
        run.UpdatedAt = now;
    }

    /// <summary>Whether a worker picked the running attempt up and then went longer than the lease without a heartbeat.</summary>
    public static bool LeaseExpired(AudienceRun run, TimeSpan lease, DateTime now) =>
        run.HeartbeatAt is { } beat && beat < now - lease;

    public static void Complete(AudienceRun run, AudienceSnapshotMaterialized snapshot, DateTime now)
    {
        run.CandidateCount = snapshot.CandidateCount;
        run.ResultCount = snapshot.ResultCount;
        run.ResultKey = snapshot.ResultKey;
        run.CompletedAt = now;
        run.HeartbeatAt = null;
        run.ErrorCode = null;
        run.ErrorMessage = null;
        run.UpdatedAt = now;
    }

    public static void Fail(AudienceRun run, string code, string message, DateTime now)
    {
        run.ErrorCode = code;
        run.ErrorMessage = message.Length > MaxErrorMessageLength ? message[..MaxErrorMessageLength] : message;
        run.HeartbeatAt = null;
        run.UpdatedAt = now;
    }
}
