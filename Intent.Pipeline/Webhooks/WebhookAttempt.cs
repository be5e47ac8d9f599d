namespace Intent.Pipeline.Webhooks;

/// <summary>
/// What one attempt came to: <see cref="Outcome"/>, the answer's status when one came, how long it took,
/// the receiver's <c>Retry-After</c>, and for a failure a code and a sentence of our own (never the receiver's answer).
/// </summary>
public sealed record WebhookAttempt(WebhookAttemptOutcome Outcome, int? StatusCode, TimeSpan Duration, TimeSpan? RetryAfter, string? ErrorCode, string? Error)
{
    /// <summary>The delivery log's <c>lastError</c>: <c>CODE: sentence</c>.</summary>
    public string? LastError => ErrorCode is null ? null : $"{ErrorCode}: {Error}";

    /// <summary>The bounded label of the answer: <c>2xx</c> ... <c>5xx</c>, or <c>none</c>.</summary>
    public string StatusClass => StatusCode is { } status ? $"{status / 100}xx" : "none";
}
