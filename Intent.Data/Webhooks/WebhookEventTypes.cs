namespace Intent.Data.Webhooks;

/// <summary>The event types webhooks receive.</summary>
public static class WebhookEventTypes
{
    public const string RunQueued = "run.queued";
    public const string RunStarted = "run.started";
    public const string RunCompleted = "run.completed";
    public const string RunFailed = "run.failed";
    public const string RunCancelled = "run.cancelled";
    public const string ExportCompleted = "export.completed";

    /// <summary>Sent by <c>POST .../webhooks/{id}/test</c> to that webhook only; nothing subscribes to it.</summary>
    public const string Test = "webhook.test";

    /// <summary>What a webhook may subscribe to, in the order subscriptions are stored and shown.</summary>
    public static readonly string[] Subscribable = [RunQueued, RunStarted, RunCompleted, RunFailed, RunCancelled, ExportCompleted];
}
