namespace Intent.Contracts.Webhooks;

/// <summary>Command to the worker: make the next attempt of a pending webhook delivery.</summary>
public sealed record DeliverWebhook
{
    public required Guid DeliveryId { get; init; }

    /// <summary>Attempts the delivery had when this was sent; a delivery that has moved on since ignores it.</summary>
    public required int Attempts { get; init; }
}
