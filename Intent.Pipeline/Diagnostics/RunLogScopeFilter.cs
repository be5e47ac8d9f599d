using System.Linq.Expressions;
using MassTransit;

namespace Intent.Pipeline.Diagnostics;

/// <summary>
/// Every log line written while a message about a run is consumed carries the run's id (a log scope
/// <c>RunId</c>), so one search shows a run's whole life across the API and the workers. Messages
/// without a <c>RunId</c> (or a <c>Fault</c> of one) pass untouched.
/// </summary>
public sealed class RunLogScopeFilter<TMessage>(ILogger<RunLogScopeFilter<TMessage>> logger) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    private static readonly Func<TMessage, Guid>? RunIdOf = Accessor();

    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        if (RunIdOf is null)
        {
            await next.Send(context);
            return;
        }

        using (logger.BeginScope(new Dictionary<string, object> { ["RunId"] = RunIdOf(context.Message) }))
        {
            await next.Send(context);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("run-log-scope");

    // RunId on the message itself, or on the message a Fault<T> carries.
    private static Func<TMessage, Guid>? Accessor()
    {
        var message = Expression.Parameter(typeof(TMessage));
        Expression? runId = RunIdProperty(message);
        if (runId is null && typeof(TMessage).IsGenericType && typeof(TMessage).GetGenericTypeDefinition() == typeof(Fault<>))
        {
            runId = RunIdProperty(Expression.Property(message, nameof(Fault<object>.Message)));
        }

        return runId is null ? null : Expression.Lambda<Func<TMessage, Guid>>(runId, message).Compile();
    }

    private static MemberExpression? RunIdProperty(Expression instance) =>
        instance.Type.GetProperty("RunId") is { PropertyType: var type } property && type == typeof(Guid)
            ? Expression.Property(instance, property)
            : null;
}
