using System.Threading.Channels;

namespace Intent.Pipeline.Webhooks;

/// <summary>A wake-up of the delivery loop: set any number of times, it wakes one wait; a set while nobody waits is kept for the next.</summary>
public sealed class WebhookDeliverySignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = false });

    public void Set() => _channel.Writer.TryWrite(true);

    /// <summary>Waits until set or until <paramref name="timeout"/>; true when set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_channel.Reader.TryRead(out _))
        {
            return true;
        }

        if (timeout <= TimeSpan.Zero)
        {
            return false;
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _channel.Reader.WaitToReadAsync(timeoutSource.Token);
            return _channel.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
