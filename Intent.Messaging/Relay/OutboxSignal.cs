using System.Threading.Channels;

namespace Intent.Messaging.Relay;

/// <summary>
/// Wakes a loop: set any number of times, it wakes one wait; a set while nobody waits is kept for the next.
/// Never loses a wake-up. The relays' (set by notifications and this process's commits) and the webhook delivery loop's.
/// </summary>
public sealed class OutboxSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = false });

    public void Set() => _channel.Writer.TryWrite(true);

    /// <summary>Waits until set or until <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no limit); true when set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_channel.Reader.TryRead(out _))
        {
            return true;
        }

        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            return false;
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            // Every waiter sees the set; the one that takes it goes, the others wait on.
            while (await _channel.Reader.WaitToReadAsync(timeoutSource.Token))
            {
                if (_channel.Reader.TryRead(out _))
                {
                    return true;
                }
            }

            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
