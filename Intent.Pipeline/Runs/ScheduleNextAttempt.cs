using Intent.Data.Runs;
using Intent.Pipeline.Scheduling;
using MassTransit;
using Microsoft.Extensions.Options;
using Quartz;

namespace Intent.Pipeline.Runs;

/// <summary>
/// Puts a failed attempt's run back in the queue: <c>nextAttemptAt</c> = now + backoff(attempts) with
/// jitter, and a durable Quartz timer for that moment. The timer is written before the saga's
/// transaction commits; should that commit fail, the timer finds the run not waiting for it and does
/// nothing, and the redelivered message writes it again.
/// </summary>
public sealed class ScheduleNextAttempt<TMessage>(ISchedulerFactory schedulers, IOptions<RunAttemptOptions> options, TimeProvider clock)
    : IStateMachineActivity<AudienceRun, TMessage>
    where TMessage : class
{
    public async Task Execute(BehaviorContext<AudienceRun, TMessage> context, IBehavior<AudienceRun, TMessage> next)
    {
        var run = context.Saga;
        var now = clock.GetUtcNow().UtcDateTime;
        var at = now + options.Value.RetryDelay(run.Attempts, Random.Shared.NextDouble());
        RunTransitions.Retry(run, at, now);
        var scheduler = await schedulers.GetScheduler(context.CancellationToken);
        await RetryRunJob.ScheduleAsync(scheduler, run.CorrelationId, run.Attempts, at, context.CancellationToken);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<AudienceRun, TMessage, TException> context, IBehavior<AudienceRun, TMessage> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("schedule-next-attempt");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
