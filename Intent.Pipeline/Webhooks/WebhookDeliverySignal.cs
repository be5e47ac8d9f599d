using Intent.Messaging.Relay;

namespace Intent.Pipeline.Webhooks;

/// <summary>The delivery loop's wake-up, one per process: an <see cref="OutboxSignal"/> under a type of its own for injection.</summary>
public sealed class WebhookDeliverySignal
{
    private readonly OutboxSignal _signal = new();

    public void Set() => _signal.Set();

    /// <summary>Waits until set or until <paramref name="timeout"/>; true when set.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
