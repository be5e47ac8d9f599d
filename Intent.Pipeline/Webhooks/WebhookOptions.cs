using System.Globalization;

namespace Intent.Pipeline.Webhooks;

/// <summary>How webhooks are delivered, retried, disabled and kept (configuration section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Allow URLs on loopback, private, link-local and other non-public addresses, and plain <c>http</c>:
    /// for tests and local use only, never where tenants can point webhooks at the internal network.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Waits before the second, third, ... attempt of a delivery, comma-separated TimeSpans; one attempt more than waits.</summary>
    public string RetrySchedule { get; set; } = "00:00:05,00:00:30,00:02:00,00:10:00,01:00:00,06:00:00";

    /// <summary>Longest one attempt may take, from connecting to the last byte of the answer's headers.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events in a row whose delivery failed for good after which the webhook is disabled.</summary>
    public int DisableAfterFailures { get; set; } = 5;

    /// <summary>How long the previous secret still signs after a rotation.</summary>
    public TimeSpan SecretGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Events and their deliveries are removed from the log once older than this.</summary>
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the scheduler removes old log rows; events removed per transaction.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    public int SweepBatchSize { get; set; } = 1000;

    /// <summary>Webhooks one organization may have.</summary>
    public int MaxPerOrganization { get; set; } = 10;

    /// <summary>Attempts one worker's delivery loop makes at once.</summary>
    public int ConcurrentDeliveries { get; set; } = 32;

    /// <summary>Most deliveries one worker claims in one statement and holds claimed before sending them.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// How often the delivery loop looks for due deliveries when nothing woke it: deliveries queued by another
    /// process (a test event, a retry asked through the API) and deliveries whose lease expired are found within it.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A claimed delivery's lease is <see cref="Timeout"/> and this: room for the wait before its send starts and
    /// for recording its outcome. A loop that dies leaves its claims to be taken again once their lease passes.
    /// </summary>
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a claimed delivery is kept from other loops.</summary>
    public TimeSpan Lease => Timeout + LeaseMargin;

    /// <summary>The waits of <see cref="RetrySchedule"/>, or null when it does not parse into positive TimeSpans.</summary>
    public IReadOnlyList<TimeSpan>? RetryDelays() => ParseSchedule(RetrySchedule);

    /// <summary>
    /// The wait after attempt <paramref name="attempts"/> (1-based) failed and may be retried, or null when
    /// the schedule is used up. A receiver's <c>Retry-After</c> lengthens the wait, up to the longest one of the schedule.
    /// </summary>
    public TimeSpan? NextDelay(int attempts, TimeSpan? retryAfter)
    {
        var delays = RetryDelays() ?? [];
        if (attempts < 1 || attempts > delays.Count)
        {
            return null;
        }

        var delay = delays[attempts - 1];
        return retryAfter is { } asked && asked > delay ? (asked < delays.Max() ? asked : delays.Max()) : delay;
    }

    public static IReadOnlyList<TimeSpan>? ParseSchedule(string schedule)
    {
        var delays = new List<TimeSpan>();
        foreach (var part in schedule.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TimeSpan.TryParse(part, CultureInfo.InvariantCulture, out var delay) || delay <= TimeSpan.Zero)
            {
                return null;
            }

            delays.Add(delay);
        }

        return delays;
    }
}
