namespace Intent.Pipeline.Webhooks;

/// <summary>The webhook's host resolved to (or connected to) an address webhooks may not reach.</summary>
public sealed class WebhookTargetRefusedException() : Exception("The webhook URL resolves to an address webhooks may not reach.");
