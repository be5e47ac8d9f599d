namespace Intent.Contracts.Webhooks;

/// <summary>
/// Command to the worker: an event of an organization happened (committed with the change it reports);
/// record it and queue one delivery to each of the organization's webhooks subscribed to it.
/// </summary>
public sealed record FanOutWebhookEvent
{
    /// <summary>The event; receivers see it as the <c>webhook-id</c> header (<c>msg_</c> and this id), the same on every attempt.</summary>
    public required Guid EventId { get; init; }

    public required Guid OrganizationId { get; init; }

    /// <summary><c>run.queued</c>, <c>run.started</c>, ...</summary>
    public required string Type { get; init; }

    /// <summary>The request body every subscriber receives, <c>{type, timestamp, data}</c>, exactly as signed and sent.</summary>
    public required string Payload { get; init; }

    public required DateTime OccurredAt { get; init; }

    /// <summary>The run the event is about (an export's run for <c>export.completed</c>).</summary>
    public required Guid RunId { get; init; }
}
