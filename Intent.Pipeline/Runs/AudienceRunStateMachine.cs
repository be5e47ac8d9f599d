using Intent.Contracts.Runs;
using Intent.Data.Runs;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Webhooks;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Intent.Pipeline.Runs;

/// <summary>
/// The life of a run, every status and transition in one table:
/// <code>
/// Queued    --MaterializeAudienceRun--&gt;            Running (snapshot sent to be built) | Completed (snapshot exists)
/// Running   --AudienceSnapshotMaterialized--&gt;      Completed
/// Running   --AudienceSnapshotFailed (retryable)--&gt; Queued with a retry timer, or Failed when attempts run out
/// Running   --AudienceSnapshotFailed (permanent)--&gt; Failed
/// Running   --Fault&lt;MaterializeAudienceSnapshot&gt;--&gt; Queued with a retry timer, or Failed when attempts run out
/// Running   --RecoverStuckRun (lease expired)--&gt;     Queued with a retry timer, or Failed when attempts run out
/// Queued    --DELETE .../runs/{id}--&gt;                Cancelled (made outside the saga: see <see cref="RunCancellation"/>)
/// Queued    --StartDailyRun (snapshot exists)--&gt;     Completed (made outside the saga, many runs per transaction: see <see cref="StartDailyRunsConsumer"/>)
/// Completed, Failed, Cancelled: final; every later message is ignored.
/// </code>
/// Those two are the only transitions made outside the saga. A daily run comes here only when its batch
/// found no snapshot for it: <see cref="StartDailyRunsConsumer"/> then sends its <see cref="MaterializeAudienceRun"/>.
/// Entering Running, Completed or Failed writes the webhook event of it (<c>run.started</c>,
/// <c>run.completed</c>, <c>run.failed</c>) in the same transaction; a run that completes from an
/// existing snapshot never runs, so it has no <c>run.started</c>.
/// Messages of an attempt that is over are ignored (<see cref="RunAttempts"/>). The run row is the
/// instance, locked while it changes; its <c>status</c> column holds the state (<see cref="RunStatus"/>).
/// </summary>
public sealed class AudienceRunStateMachine : MassTransitStateMachine<AudienceRun>
{
    public static readonly Uri MaterializationQueue = new("queue:materialize-audience-snapshot");

    private readonly RunAttemptOptions _settings;
    private readonly TimeProvider _clock;
    private readonly PipelineMetrics _metrics;

    public AudienceRunStateMachine(IOptions<RunAttemptOptions> options, TimeProvider clock, PipelineMetrics metrics)
    {
        _settings = options.Value;
        _clock = clock;
        _metrics = metrics;
        InstanceState(r => r.Status);

        Event(() => MaterializeRequested, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SnapshotMaterialized, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SnapshotFailed, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SnapshotFaulted, e => { e.CorrelateById(c => c.Message.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => StuckRunFound, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });

        During(
            Queued,
            When(MaterializeRequested)
                .Then(c =>
                {
                    _metrics.Started(c.Saga, Now);
                    RunTransitions.Start(c.Saga, Now);
                })
                .Activity(x => x.OfType<ReuseExistingSnapshot>())
                .IfElse(
                    c => c.Saga.CompletedAt is not null,
                    reused => reused
                        .Activity(x => x.OfType<RecordAudienceRefresh<MaterializeAudienceRun>>())
                        .Then(c => Ended(c.Saga, RunStatus.Queued, RunStatus.Completed))
                        .TransitionTo(Completed)
                        .Publish(c => RunCompleted(c.Saga))
                        .Activity(x => x.OfType<RaiseRunCompletedEvent<MaterializeAudienceRun>>()),
                    build => build
                        .Then(c => _metrics.Transition(c.Saga, RunStatus.Queued, RunStatus.Running))
                        .TransitionTo(Running)
                        .Send(MaterializationQueue, c => new MaterializeAudienceSnapshot { RunId = c.Saga.CorrelationId, Attempt = c.Saga.Attempts })
                        .Activity(x => x.OfType<RaiseRunStartedEvent<MaterializeAudienceRun>>())),
            Ignore(SnapshotMaterialized),
            Ignore(SnapshotFailed),
            Ignore(SnapshotFaulted),
            Ignore(StuckRunFound));

        During(
            Running,
            When(SnapshotMaterialized, c => RunAttempts.IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c =>
                {
                    RunTransitions.Complete(c.Saga, c.Message, Now);
                    _metrics.AttemptEnded(c.Saga, Now);
                    if (!c.Message.Reused)
                    {
                        _metrics.RowsMaterialized(c.Saga, c.Message.ResultCount);
                    }
                })
                .Activity(x => x.OfType<RecordAudienceRefresh<AudienceSnapshotMaterialized>>())
                .Then(c => Ended(c.Saga, RunStatus.Running, RunStatus.Completed))
                .TransitionTo(Completed)
                .Publish(c => RunCompleted(c.Saga))
                .Activity(x => x.OfType<RaiseRunCompletedEvent<AudienceSnapshotMaterialized>>()),
            RetryOrFail(
                When(SnapshotFailed, c => RunAttempts.IsCurrent(c.Saga, c.Message.Attempt))
                    .Then(c => RunTransitions.Fail(c.Saga, c.Message.ErrorCode, c.Message.ErrorMessage, Now)),
                c => c.Message.Retryable),
            RetryOrFail(
                When(SnapshotFaulted, c => RunAttempts.IsCurrent(c.Saga, c.Message.Message.Attempt))
                    .Then(c => RunTransitions.Fail(c.Saga, MaterializationFailures.Failed, MaterializationFailures.Unexpected, Now)),
                _ => true),
            RetryOrFail(
                When(StuckRunFound, c => RunAttempts.IsCurrent(c.Saga, c.Message.Attempt) && RunTransitions.LeaseExpired(c.Saga, _settings.Lease, Now))
                    .Then(c => RunTransitions.Fail(c.Saga, MaterializationFailures.WorkerLost,
                        $"Attempt {c.Saga.Attempts} renewed no lease for {_settings.Lease}; its worker stopped.", Now)),
                _ => true),
            Ignore(MaterializeRequested));

        During(Completed, Ignore(MaterializeRequested), Ignore(SnapshotMaterialized), Ignore(SnapshotFailed), Ignore(SnapshotFaulted), Ignore(StuckRunFound));
        During(Failed, Ignore(MaterializeRequested), Ignore(SnapshotMaterialized), Ignore(SnapshotFailed), Ignore(SnapshotFaulted), Ignore(StuckRunFound));
        During(Cancelled, Ignore(MaterializeRequested), Ignore(SnapshotMaterialized), Ignore(SnapshotFailed), Ignore(SnapshotFaulted), Ignore(StuckRunFound));
    }

    public State Queued { get; private set; } = null!;

    public State Running { get; private set; } = null!;

    public State Completed { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    /// <summary>Entered only by <see cref="RunCancellation"/>, outside the saga; declared so the saga ignores cancelled runs.</summary>
    public State Cancelled { get; private set; } = null!;

    public Event<MaterializeAudienceRun> MaterializeRequested { get; private set; } = null!;

    public Event<AudienceSnapshotMaterialized> SnapshotMaterialized { get; private set; } = null!;

    public Event<AudienceSnapshotFailed> SnapshotFailed { get; private set; } = null!;

    public Event<Fault<MaterializeAudienceSnapshot>> SnapshotFaulted { get; private set; } = null!;

    public Event<RecoverStuckRun> StuckRunFound { get; private set; } = null!;

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    /// <summary>The one ending of a failed attempt: back to the queue with a timer while attempts remain and the failure may pass, else failed for good.</summary>
    private EventActivityBinder<AudienceRun, T> RetryOrFail<T>(EventActivityBinder<AudienceRun, T> failed, Func<BehaviorContext<AudienceRun, T>, bool> retryable)
        where T : class =>
        failed.IfElse(
            c => retryable(c) && c.Saga.Attempts < _settings.MaxAttempts,
            retry => retry
                .Activity(x => x.OfType<ScheduleNextAttempt<T>>())
                .Then(c =>
                {
                    _metrics.AttemptEnded(c.Saga, Now);
                    _metrics.RetryScheduled(c.Saga);
                    _metrics.Transition(c.Saga, RunStatus.Running, RunStatus.Queued);
                })
                .TransitionTo(Queued),
            fail => fail
                .Then(c =>
                {
                    _metrics.AttemptEnded(c.Saga, Now);
                    Ended(c.Saga, RunStatus.Running, RunStatus.Failed);
                })
                .TransitionTo(Failed)
                .Publish(c => RunFailed(c.Saga))
                .Activity(x => x.OfType<RaiseRunFailedEvent<T>>()));

    private void Ended(AudienceRun run, string from, string to)
    {
        _metrics.Transition(run, from, to);
        _metrics.RunEnded(run, Now);
    }

    private static AudienceRunCompleted RunCompleted(AudienceRun run) =>
        new() { RunId = run.CorrelationId, ResultCount = run.ResultCount, ResultKey = run.ResultKey! };

    private static AudienceRunFailed RunFailed(AudienceRun run) =>
        new() { RunId = run.CorrelationId, ErrorCode = run.ErrorCode!, ErrorMessage = run.ErrorMessage! };
}
