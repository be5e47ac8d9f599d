namespace Intent.Data.Webhooks;

/// <summary>An event fanned out to webhooks: the body every delivery of it sends, byte for byte.</summary>
public sealed class WebhookEvent
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public string Type { get; set; } = "";

    /// <summary><c>{type, timestamp, data}</c> as JSON text, exactly as signed.</summary>
    public string Payload { get; set; } = "";

    public DateTime CreatedAt { get; set; }
}
