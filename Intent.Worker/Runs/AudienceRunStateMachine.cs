using Intent.Contracts.Runs;
using Intent.Data.Runs;
using MassTransit;

namespace Intent.Worker.Runs;

/// <summary>
/// The life of a run: queued, running while its snapshot is built, then completed or failed; a run
/// whose snapshot already exists completes at once. A run that was cancelled or has finished ignores
/// every later message. The run row is the instance.
/// </summary>
public sealed class AudienceRunStateMachine : MassTransitStateMachine<AudienceRun>
{
    public static readonly Uri MaterializationQueue = new("queue:materialize-audience-snapshot");

    public AudienceRunStateMachine()
    {
        InstanceState(r => r.Status);

        Event(() => MaterializeRequested, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SnapshotMaterialized, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SnapshotFailed, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SnapshotFaulted, e => { e.CorrelateById(c => c.Message.Message.RunId); e.OnMissingInstance(m => m.Discard()); });

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
                        .Publish(c => new AudienceRunCompleted { RunId = c.Saga.CorrelationId, ResultCount = c.Saga.ResultCount, ResultKey = c.Saga.ResultKey! }),
                    build => build
                        .TransitionTo(Running)
                        .Send(MaterializationQueue, c => new MaterializeAudienceSnapshot { RunId = c.Saga.CorrelationId })),
            Ignore(SnapshotMaterialized),
            Ignore(SnapshotFailed),
            Ignore(SnapshotFaulted));

        During(
            Running,
            When(SnapshotMaterialized)
                .Then(c => RunTransitions.Complete(c.Saga, c.Message))
                .Activity(x => x.OfType<RecordAudienceRefresh<AudienceSnapshotMaterialized>>())
                .TransitionTo(Completed)
                .Publish(c => new AudienceRunCompleted { RunId = c.Saga.CorrelationId, ResultCount = c.Saga.ResultCount, ResultKey = c.Saga.ResultKey! }),
            When(SnapshotFailed)
                .Then(c => RunTransitions.Fail(c.Saga, c.Message.ErrorCode, c.Message.ErrorMessage))
                .TransitionTo(Failed)
                .Publish(c => new AudienceRunFailed { RunId = c.Saga.CorrelationId, ErrorCode = c.Saga.ErrorCode!, ErrorMessage = c.Saga.ErrorMessage! }),
            When(SnapshotFaulted)
                .Then(c => RunTransitions.Fail(c.Saga, "MATERIALIZATION_FAILED", RunTransitions.Describe(c.Message)))
                .TransitionTo(Failed)
                .Publish(c => new AudienceRunFailed { RunId = c.Saga.CorrelationId, ErrorCode = c.Saga.ErrorCode!, ErrorMessage = c.Saga.ErrorMessage! }),
            Ignore(MaterializeRequested));

        During(Completed, Ignore(MaterializeRequested), Ignore(SnapshotMaterialized), Ignore(SnapshotFailed), Ignore(SnapshotFaulted));
        During(Failed, Ignore(MaterializeRequested), Ignore(SnapshotMaterialized), Ignore(SnapshotFailed), Ignore(SnapshotFaulted));
        During(Cancelled, Ignore(MaterializeRequested), Ignore(SnapshotMaterialized), Ignore(SnapshotFailed), Ignore(SnapshotFaulted));
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
}
