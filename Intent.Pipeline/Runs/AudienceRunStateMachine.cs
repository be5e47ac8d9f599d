using Intent.Contracts.Runs;
using Intent.Data.Runs;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Intent.Pipeline.Runs;

/// <summary>
/// The life of a run: queued, running while its snapshot is built, then completed or failed; a run
/// whose snapshot already exists completes at once. An attempt that fails for a transient reason, or
/// whose worker stops renewing its lease, puts the run back in the queue with a durable timer for the
/// next attempt, until the attempts run out. A run that was cancelled or has finished ignores every
/// later message, and so do messages of an attempt that is over. The run row is the instance.
/// </summary>
public sealed class AudienceRunStateMachine : MassTransitStateMachine<AudienceRun>
{
    public static readonly Uri MaterializationQueue = new("queue:materialize-audience-snapshot");

    public AudienceRunStateMachine(IOptions<RunAttemptOptions> options)
    {
        var settings = options.Value;
        InstanceState(r => r.Status);

        Event(() => MaterializeRequested, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SnapshotMaterialized, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SnapshotFailed, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SnapshotFaulted, e => { e.CorrelateById(c => c.Message.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => StuckRunFound, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });

        During(
            Queued,
            When(MaterializeRequested)
                .Then(c => RunTransitions.Start(c.Saga))
                .Activity(x => x.OfType<ReuseExistingSnapshot>())
                .IfElse(
                    c => c.Saga.CompletedAt is not null,
                    reused => reused
                        .Activity(x => x.OfType<RecordAudienceRefresh<MaterializeAudienceRun>>())
                        .TransitionTo(Completed)
                        .Publish(c => RunCompleted(c.Saga)),
                    build => build
                        .TransitionTo(Running)
                        .Send(MaterializationQueue, c => new MaterializeAudienceSnapshot { RunId = c.Saga.CorrelationId, Attempt = c.Saga.Attempts })),
            Ignore(SnapshotMaterialized),
            Ignore(SnapshotFailed),
            Ignore(SnapshotFaulted),
            Ignore(StuckRunFound));

        During(
            Running,
            When(SnapshotMaterialized, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c => RunTransitions.Complete(c.Saga, c.Message))
                .Activity(x => x.OfType<RecordAudienceRefresh<AudienceSnapshotMaterialized>>())
                .TransitionTo(Completed)
                .Publish(c => RunCompleted(c.Saga)),
            When(SnapshotFailed, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c => RunTransitions.Fail(c.Saga, c.Message.ErrorCode, c.Message.ErrorMessage))
                .IfElse(
                    c => c.Message.Retryable && c.Saga.Attempts < settings.MaxAttempts,
                    retry => retry.Activity(x => x.OfType<ScheduleNextAttempt<AudienceSnapshotFailed>>()).TransitionTo(Queued),
                    fail => fail.TransitionTo(Failed).Publish(c => RunFailed(c.Saga))),
            When(SnapshotFaulted, c => IsCurrent(c.Saga, c.Message.Message.Attempt))
                .Then(c => RunTransitions.Fail(c.Saga, MaterializationFailures.Failed, MaterializationFailures.Unexpected))
                .IfElse(
                    c => c.Saga.Attempts < settings.MaxAttempts,
                    retry => retry.Activity(x => x.OfType<ScheduleNextAttempt<Fault<MaterializeAudienceSnapshot>>>()).TransitionTo(Queued),
                    fail => fail.TransitionTo(Failed).Publish(c => RunFailed(c.Saga))),
            When(StuckRunFound, c => IsCurrent(c.Saga, c.Message.Attempt) && RunTransitions.LeaseExpired(c.Saga, settings.Lease))
                .Then(c => RunTransitions.Fail(c.Saga, MaterializationFailures.WorkerLost,
                    $"Attempt {c.Saga.Attempts} renewed no lease for {settings.Lease}; its worker stopped."))
                .IfElse(
                    c => c.Saga.Attempts < settings.MaxAttempts,
                    retry => retry.Activity(x => x.OfType<ScheduleNextAttempt<RecoverStuckRun>>()).TransitionTo(Queued),
                    fail => fail.TransitionTo(Failed).Publish(c => RunFailed(c.Saga))),
            Ignore(MaterializeRequested));

        During(Completed, Ignore(MaterializeRequested), Ignore(SnapshotMaterialized), Ignore(SnapshotFailed), Ignore(SnapshotFaulted), Ignore(StuckRunFound));
        During(Failed, Ignore(MaterializeRequested), Ignore(SnapshotMaterialized), Ignore(SnapshotFailed), Ignore(SnapshotFaulted), Ignore(StuckRunFound));
        During(Cancelled, Ignore(MaterializeRequested), Ignore(SnapshotMaterialized), Ignore(SnapshotFailed), Ignore(SnapshotFaulted), Ignore(StuckRunFound));
    }

    public State Queued { get; private set; } = null!;

    public State Running { get; private set; } = null!;

    public State Completed { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    public State Cancelled { get; private set; } = null!;

    public Event<MaterializeAudienceRun> MaterializeRequested { get; private set; } = null!;

    public Event<AudienceSnapshotMaterialized> SnapshotMaterialized { get; private set; } = null!;

    public Event<AudienceSnapshotFailed> SnapshotFailed { get; private set; } = null!;

    public Event<Fault<MaterializeAudienceSnapshot>> SnapshotFaulted { get; private set; } = null!;

    public Event<RecoverStuckRun> StuckRunFound { get; private set; } = null!;

    // Messages from before attempts were numbered (0) belong to the current attempt.
    private static bool IsCurrent(AudienceRun run, int attempt) => attempt == 0 || attempt == run.Attempts;

    private static AudienceRunCompleted RunCompleted(AudienceRun run) =>
        new() { RunId = run.CorrelationId, ResultCount = run.ResultCount, ResultKey = run.ResultKey! };

    private static AudienceRunFailed RunFailed(AudienceRun run) =>
        new() { RunId = run.CorrelationId, ErrorCode = run.ErrorCode!, ErrorMessage = run.ErrorMessage! };
}
