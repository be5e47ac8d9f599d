using System.Collections.Concurrent;
using MassTransit;

namespace Intent.Tests.Unit.Runs;

/// <summary>
/// Tells when the bus has finished with a message, by its id: consumed, faulted or discarded (a message
/// for no run is received and dropped, never consumed). Faster and surer than waiting for the harness to go idle.
/// </summary>
public sealed class ReceivedMessages : IReceiveObserver
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<Exception?>> _waiting = new();
    private readonly ConcurrentDictionary<Guid, Exception> _faults = new();

    /// <summary>Completes when the message with <paramref name="messageId"/> has been received, with the exception its consumer threw, if any.</summary>
    public Task<Exception?> WaitFor(Guid messageId) =>
        _waiting.GetOrAdd(messageId, _ => new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        Done(context.GetMessageId(), _faults.TryGetValue(context.GetMessageId() ?? Guid.Empty, out var fault) ? fault : null);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class
    {
        if (context.MessageId is { } id)
        {
            _faults[id] = exception;
        }

        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Done(context.GetMessageId(), exception);
        return Task.CompletedTask;
    }

    private void Done(Guid? messageId, Exception? exception)
    {
        if (messageId is { } id)
        {
            _waiting.GetOrAdd(id, _ => new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(exception);
        }
    }
}
