using System.Diagnostics.Metrics;
using Intent.Data;
using Intent.Data.Runs;

namespace Intent.Pipeline.Diagnostics;

/// <summary>
/// The run pipeline's instruments, on the meter <see cref="MeterName"/>. Labels stay bounded: statuses,
/// run type, error code, export or email outcome; never an organization, audience or run id.
/// A transition is counted when the saga makes it, inside its transaction: a transaction that rolls
/// back and is redelivered counts its transition again.
/// </summary>
public sealed class PipelineMetrics : IDisposable
{
    public const string MeterName = "Intent.Pipeline";

    /// <summary>The histogram of deliveries the webhook delivery loop handled in one statement, with a <c>stage</c> tag (claim or record).</summary>
    public const string WebhookBatchInstrument = "intent.webhooks.batch.size";

    private static readonly double[] SecondsBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    // A webhook attempt lasts milliseconds to its 10 s timeout.
    private static readonly double[] AttemptBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _transitions;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _materialization;
    private readonly Histogram<double> _endToEnd;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _recovered;
    private readonly Histogram<long> _dailyQueued;
    private readonly Histogram<double> _dailyDuration;
    private readonly Counter<long> _exportBytes;
    private readonly Counter<long> _exportRows;
    private readonly Histogram<double> _exportDuration;
    private readonly Counter<long> _emails;
    private readonly Counter<long> _previews;
    private readonly Histogram<double> _previewDuration;
    private readonly Counter<long> _webhookEvents;
    private readonly Counter<long> _webhookAttempts;
    private readonly Histogram<double> _webhookAttemptDuration;
    private readonly Counter<long> _webhooksDisabled;
    private readonly Histogram<long> _webhookBatch;

    public PipelineMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _transitions = _meter.CreateCounter<long>("intent.runs.transitions", "{transition}",
            "Run status changes, by from and to status, run type and error code.");
        _queueWait = Seconds("intent.runs.queue_wait", "From queued (or due for a retry) to a worker starting the attempt.");
        _materialization = Seconds("intent.runs.materialization.duration", "From an attempt's start to its snapshot built or its failure.");
        _endToEnd = Seconds("intent.runs.duration", "From a run's creation to completed or failed.");
        _rows = _meter.CreateCounter<long>("intent.runs.rows_materialized", "{row}", "Snapshot rows written by materialization (reused snapshots write none).");
        _retries = _meter.CreateCounter<long>("intent.runs.retries_scheduled", "{retry}", "Failed attempts put back in the queue with a retry timer, by error code.");
        _recovered = _meter.CreateCounter<long>("intent.runs.recovered", "{run}", "Runs the recovery sweep sent again: stuck (lease lost) or overdue (timer lost).");
        _dailyQueued = _meter.CreateHistogram<long>("intent.daily_runs.queued", "{run}", "Daily runs queued by one firing of the daily job.");
        _dailyDuration = Seconds("intent.daily_runs.duration", "How long one firing of the daily job took.");
        _exportBytes = _meter.CreateCounter<long>("intent.exports.bytes", "By", "Bytes of stored CSV exports written.");
        _exportRows = _meter.CreateCounter<long>("intent.exports.rows", "{row}", "Rows of stored CSV exports written.");
        _exportDuration = Seconds("intent.exports.duration", "How long writing one stored export took, by outcome.");
        _emails = _meter.CreateCounter<long>("intent.emails", "{email}", "Ready emails by outcome: sent, failed (with its code) or refused by the daily quota.");
        _previews = _meter.CreateCounter<long>("intent.previews", "{preview}",
            "Audience previews by outcome: completed, invalid (config refused), no_data, timeout or failed.");
        _previewDuration = Seconds("intent.previews.duration", "How long one audience preview took, from its request read to its answer ready, by outcome.");
        _webhookEvents = _meter.CreateCounter<long>("intent.webhooks.deliveries_queued", "{delivery}",
            "Webhook deliveries queued when an event was fanned out to its subscribed webhooks, by event type.");
        _webhookAttempts = _meter.CreateCounter<long>("intent.webhooks.attempts", "{attempt}",
            "Webhook delivery attempts by outcome (delivered, retry, failed) and the answer's status class (2xx ... 5xx, none).");
        _webhookAttemptDuration = Seconds("intent.webhooks.attempt.duration", "How long one webhook delivery attempt took, by outcome.", AttemptBuckets);
        _webhooksDisabled = _meter.CreateCounter<long>("intent.webhooks.disabled", "{webhook}",
            "Webhooks disabled after too many deliveries in a row failed for good.");
        _webhookBatch = _meter.CreateHistogram(WebhookBatchInstrument, "{delivery}",
            "Deliveries the delivery loop handled in one statement, by stage: claim (claimed for an attempt) or record (outcomes recorded).",
            tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });
    }

    public void Transition(AudienceRun run, string from, string to)
    {
        _transitions.Add(1,
            new KeyValuePair<string, object?>("from", RunStatus.ToPublic(from)),
            new KeyValuePair<string, object?>("to", RunStatus.ToPublic(to)),
            new KeyValuePair<string, object?>("run_type", SnakeCaseNames.Of(run.RunType)),
            new KeyValuePair<string, object?>("error_code", to is RunStatus.Completed or RunStatus.Running ? null : run.ErrorCode));
    }

    /// <summary>
    /// A queued run completed from its existing snapshot outside the saga (a batch of daily runs): what the saga
    /// records for that transition, its start's queue wait, the transition and the run's whole duration.
    /// <paramref name="runType"/> is the stored (snake_case) run type.
    /// </summary>
    public void CompletedFromSnapshot(string runType, TimeSpan queueWait, TimeSpan sinceCreated)
    {
        var type = new KeyValuePair<string, object?>("run_type", runType);
        _queueWait.Record(Seconds(queueWait), type);
        _transitions.Add(1,
            new KeyValuePair<string, object?>("from", RunStatus.Stored.Queued),
            new KeyValuePair<string, object?>("to", RunStatus.Stored.Completed),
            type,
            new KeyValuePair<string, object?>("error_code", null));
        _endToEnd.Record(Seconds(sinceCreated), type);
    }

    /// <summary>An attempt starts: how long the run waited since it was queued or became due.</summary>
    public void Started(AudienceRun run, DateTime now) =>
        _queueWait.Record(Seconds(now - (run.NextAttemptAt ?? run.CreatedAt)), RunType(run));

    /// <summary>An attempt ended (its snapshot built, or failed): how long it materialized.</summary>
    public void AttemptEnded(AudienceRun run, DateTime now)
    {
        if (run.StartedAt is { } started)
        {
            _materialization.Record(Seconds(now - started), RunType(run));
        }
    }

    /// <summary>A run completed or failed for good: how long since it was created.</summary>
    public void RunEnded(AudienceRun run, DateTime now) => _endToEnd.Record(Seconds(now - run.CreatedAt), RunType(run));

    public void RowsMaterialized(AudienceRun run, long rows) => _rows.Add(rows, RunType(run));

    public void RetryScheduled(AudienceRun run) => _retries.Add(1, new KeyValuePair<string, object?>("error_code", run.ErrorCode));

    public void Recovered(string kind, int count)
    {
        if (count > 0)
        {
            _recovered.Add(count, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    public void DailyRunsQueued(long queued, TimeSpan duration)
    {
        _dailyQueued.Record(queued);
        _dailyDuration.Record(duration.TotalSeconds);
    }

    public void ExportWritten(long bytes, long rows, TimeSpan duration)
    {
        _exportBytes.Add(bytes);
        _exportRows.Add(rows);
        _exportDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", "completed"));
    }

    public void ExportFailed(TimeSpan duration) =>
        _exportDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", "failed"));

    /// <summary>A ready email's outcome: <c>sent</c>, <c>failed</c> (with <paramref name="errorCode"/>) or <c>quota_refused</c>.</summary>
    public void Email(string outcome, string? errorCode = null) =>
        _emails.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("error_code", errorCode));

    /// <summary>A preview's outcome (<c>completed</c>, <c>invalid</c>, <c>no_data</c>, <c>timeout</c>, <c>failed</c>) and how long it took.</summary>
    public void Preview(string outcome, TimeSpan duration)
    {
        var label = new KeyValuePair<string, object?>("outcome", outcome);
        _previews.Add(1, label);
        _previewDuration.Record(Seconds(duration), label);
    }

    public void WebhookDeliveriesQueued(string eventType, int deliveries)
    {
        if (deliveries > 0)
        {
            _webhookEvents.Add(deliveries, new KeyValuePair<string, object?>("event_type", eventType));
        }
    }

    /// <summary>A recorded attempt's outcome: <c>delivered</c>, <c>retry</c> (another attempt due later) or <c>failed</c> (for good).</summary>
    public void WebhookAttempt(string outcome, string statusClass, TimeSpan duration)
    {
        var label = new KeyValuePair<string, object?>("outcome", outcome);
        _webhookAttempts.Add(1, label, new KeyValuePair<string, object?>("status_class", statusClass));
        _webhookAttemptDuration.Record(Seconds(duration), label);
    }

    public void WebhookDisabled() => _webhooksDisabled.Add(1);

    /// <summary>One statement of the delivery loop: <c>claim</c> or <c>record</c>, and how many deliveries it handled.</summary>
    public void WebhookBatch(string stage, int deliveries) => _webhookBatch.Record(deliveries, new KeyValuePair<string, object?>("stage", stage));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static KeyValuePair<string, object?> RunType(AudienceRun run) => new("run_type", SnakeCaseNames.Of(run.RunType));

    private static double Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds);

    private Histogram<double> Seconds(string name, string description, double[]? buckets = null) =>
        _meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets ?? SecondsBuckets });
}
