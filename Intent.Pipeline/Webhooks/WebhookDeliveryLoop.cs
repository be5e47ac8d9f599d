using System.Diagnostics;
using System.Threading.Channels;
using Intent.Data.Webhooks;
using Intent.Pipeline.Diagnostics;
using Microsoft.Extensions.Options;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// Delivers webhooks in batches, in every worker: claims due pending deliveries set-based under a lease
/// (<see cref="WebhookDeliveryStore.ClaimAsync"/>, committed at once, no lock kept), sends them side by side
/// (<c>Webhooks:ConcurrentDeliveries</c> at a time, each signed, each continuing its event's trace), and records
/// the outcomes that came meanwhile in one statement (<see cref="WebhookDeliveryStore.RecordAsync"/>). The three
/// run at once: claims keep a queue of at most <c>Webhooks:BatchSize</c> deliveries ahead of the senders (claiming
/// again once half has gone out), and two recorders take turns: one gathers outcomes (for 10 ms, unless 500 are
/// waiting) while the other writes what it gathered. A delivery's <c>next_attempt_at</c> is its durable timer; the loop looks for due ones when the fan-out of this process commits new deliveries,
/// when a retry it recorded falls due, and every <c>Webhooks:PollInterval</c>. Loops of several workers share the
/// rows (<c>SKIP LOCKED</c>, leases); a loop that dies leaves its claims to be taken again when their lease passes.
/// </summary>
public sealed class WebhookDeliveryLoop(
    WebhookDeliveryStore store,
    WebhookSender sender,
    WebhookDeliverySignal wake,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    PipelineMetrics metrics,
    ILogger<WebhookDeliveryLoop> logger) : BackgroundService
{
    /// <summary>The source of each attempt's span (<c>webhook attempt</c>), a child of the fan-out that queued the delivery.</summary>
    public const string ActivitySourceName = "Intent.Webhooks";

    public const string AttemptSpanName = "webhook attempt";

    private const int MaxRecordBatch = 1000;

    private const int Recorders = 2;

    /// <summary>Outcomes enough for a recording to write at once; with fewer, it gathers for <see cref="RecordGather"/> first.</summary>
    private const int RecordTarget = 500;

    private static readonly TimeSpan RecordGather = TimeSpan.FromMilliseconds(10);

    private static readonly ActivitySource Source = new(ActivitySourceName);

    private readonly WebhookOptions _settings = options.Value;
    private readonly WebhookDeliverySignal _drained = new();
    private long _nextRetryTicks = long.MaxValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = Channel.CreateBounded<ClaimedDelivery>(new BoundedChannelOptions(_settings.BatchSize) { SingleWriter = true });
        // Not single-reader: there are two recorders, and they gather by its count.
        var outcomes = Channel.CreateUnbounded<DeliveryOutcome>(new UnboundedChannelOptions { SingleReader = false });
        // Two recorders: writing outcomes is the loop's costliest statement, and two use both a database's cores.
        using var gathering = new SemaphoreSlim(1, 1);
        var recorders = Enumerable.Range(0, Recorders)
            .Select(_ => Task.Run(() => RecordAsync(outcomes.Reader, gathering, stoppingToken), CancellationToken.None)).ToArray();
        var senders = Enumerable.Range(0, _settings.ConcurrentDeliveries)
            .Select(_ => Task.Run(() => SendAsync(queue.Reader, outcomes.Writer, stoppingToken), CancellationToken.None))
            .ToArray();
        try
        {
            await ClaimAsync(queue.Writer, queue.Reader, stoppingToken);
        }
        finally
        {
            // Claimed but not sent yet: released, so another worker takes them at once; attempts under way finish and are recorded.
            queue.Writer.TryComplete();
            await Task.WhenAll(senders);
            outcomes.Writer.TryComplete();
            await Task.WhenAll(recorders);
        }
    }

    private async Task ClaimAsync(ChannelWriter<ClaimedDelivery> queue, ChannelReader<ClaimedDelivery> queued, CancellationToken stop)
    {
        var capacity = _settings.BatchSize;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // Claim again once half of the queue has gone out: the senders should never wait for a claim, and a claim
                // costs the database a commit and a statement's overhead besides its rows.
                var room = capacity - queued.Count;
                if (room * 2 < capacity)
                {
                    await _drained.WaitAsync(_settings.PollInterval, stop);
                    continue;
                }

                var now = clock.GetUtcNow().UtcDateTime;
                var nextRetry = Interlocked.Read(ref _nextRetryTicks);
                if (nextRetry <= now.Ticks)
                {
                    Interlocked.CompareExchange(ref _nextRetryTicks, long.MaxValue, nextRetry);
                }

                var claimed = await store.ClaimAsync(room, now, _settings.Lease, stop);
                failures = 0;
                foreach (var delivery in claimed)
                {
                    queue.TryWrite(delivery);
                }

                if (claimed.Count > 0)
                {
                    metrics.WebhookBatch("claim", claimed.Count);
                }

                if (claimed.Count < room)
                {
                    await wake.WaitAsync(UntilNextRetry(), stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var pause = TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6))));
                logger.LogWarning(e, "Claiming webhook deliveries failed; trying again in {Pause}", pause);
                try
                {
                    await Task.Delay(pause, clock, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private TimeSpan UntilNextRetry()
    {
        var next = Interlocked.Read(ref _nextRetryTicks);
        var wait = _settings.PollInterval;
        if (next != long.MaxValue)
        {
            var until = TimeSpan.FromTicks(next - clock.GetUtcNow().UtcDateTime.Ticks);
            wait = until < wait ? until : wait;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    private async Task SendAsync(ChannelReader<ClaimedDelivery> queue, ChannelWriter<DeliveryOutcome> outcomes, CancellationToken stop)
    {
        await foreach (var delivery in queue.ReadAllAsync(CancellationToken.None))
        {
            if (queue.Count * 2 <= _settings.BatchSize)
            {
                _drained.Set();
            }

            outcomes.TryWrite(await AttemptAsync(delivery, stop));
        }
    }

    private async Task<DeliveryOutcome> AttemptAsync(ClaimedDelivery delivery, CancellationToken stop)
    {
        var now = clock.GetUtcNow().UtcDateTime;

        // Too little of the lease left to finish: another loop may take it before this one records it. Give it back instead.
        if (stop.IsCancellationRequested || delivery.ClaimedUntil - now < _settings.Timeout)
        {
            return DeliveryOutcome.Released(delivery, now);
        }

        if (!delivery.Enabled && delivery.EventType != WebhookEventTypes.Test)
        {
            return DeliveryOutcome.Disabled(delivery, now);
        }

        ActivityContext.TryParse(delivery.TraceParent, null, isRemote: true, out var parent);
        using var activity = Source.StartActivity(AttemptSpanName, ActivityKind.Internal, parent);
        activity?.SetTag("webhook.delivery_id", delivery.Id);
        activity?.SetTag("webhook.event_type", delivery.EventType);
        activity?.SetTag("webhook.attempt", delivery.Attempt);

        WebhookAttempt attempt;
        try
        {
            var previous = delivery.PreviousSecretExpiresAt > now ? delivery.PreviousSecret : null;

            // Not cancelled by a stop: an attempt under way finishes (within Webhooks:Timeout) and is recorded.
            attempt = await sender.SendAsync(
                delivery.Url, WebhookSignatures.MessageId(delivery.EventId), delivery.Payload, delivery.Secret, previous, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Webhook delivery {DeliveryId} attempt {Attempt} could not be sent", delivery.Id, delivery.Attempt);
            attempt = new(WebhookAttemptOutcome.Retryable, null, TimeSpan.Zero, null, "SEND_FAILED", "The request could not be sent.");
        }

        var outcome = DeliveryOutcome.Of(delivery, attempt, _settings, clock.GetUtcNow().UtcDateTime);
        activity?.SetTag("webhook.outcome", outcome.Label);
        if (outcome.Kind != DeliveryOutcomeKind.Delivered)
        {
            activity?.SetStatus(ActivityStatusCode.Error, attempt.ErrorCode);
        }

        return outcome;
    }

    private async Task RecordAsync(ChannelReader<DeliveryOutcome> outcomes, SemaphoreSlim gathering, CancellationToken stop)
    {
        var batch = new List<DeliveryOutcome>();
        while (await outcomes.WaitToReadAsync(CancellationToken.None))
        {
            try
            {
                // One recorder gathers while the other writes: each statement costs the database a commit and a
                // statement's overhead besides its rows, so fewer and fuller statements cost it less.
                await gathering.WaitAsync(CancellationToken.None);
                try
                {
                    await GatherAsync(outcomes, stop);
                    while (batch.Count < MaxRecordBatch && outcomes.TryRead(out var outcome))
                    {
                        batch.Add(outcome);
                    }
                }
                finally
                {
                    gathering.Release();
                }

                // The other recorder may have taken what this one was woken for.
                if (batch.Count > 0)
                {
                    await RecordBatchAsync(batch, stop);
                }
            }
            catch (Exception e)
            {
                logger.LogError(e, "The outcomes of {Count} webhook delivery attempts were not recorded; those deliveries are attempted again when their leases pass",
                    batch.Count);
            }

            batch.Clear();
        }
    }

    /// <summary>
    /// Fewer than <see cref="RecordTarget"/> outcomes waiting: waits <see cref="RecordGather"/> for more (a moment, against
    /// the 30 s of a lease's margin); not once stopping, when what is left is written at once.
    /// </summary>
    private async Task GatherAsync(ChannelReader<DeliveryOutcome> outcomes, CancellationToken stop)
    {
        if (outcomes.Count < RecordTarget && !stop.IsCancellationRequested)
        {
            await Task.Delay(RecordGather, clock, CancellationToken.None);
        }
    }

    /// <summary>
    /// Records a batch, trying again while the database fails, until the earliest lease of the batch has passed
    /// (its delivery may be claimed again by then) or, once stopping, after a few tries. Outcomes not recorded
    /// leave their deliveries to be attempted again when their leases pass.
    /// </summary>
    private async Task RecordBatchAsync(List<DeliveryOutcome> batch, CancellationToken stop)
    {
        var earliestLease = batch.Min(o => o.Delivery.ClaimedUntil);
        for (var failures = 1; ; failures++)
        {
            try
            {
                var (recorded, disabled) = await store.RecordAsync(batch, _settings.DisableAfterFailures, clock.GetUtcNow().UtcDateTime, CancellationToken.None);
                Report(batch, recorded, disabled);
                return;
            }
            catch (Exception e)
            {
                var pause = TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6))));
                if (clock.GetUtcNow().UtcDateTime + pause >= earliestLease || (stop.IsCancellationRequested && failures >= 3))
                {
                    logger.LogError(e, "The outcomes of {Count} webhook delivery attempts could not be recorded; those deliveries are attempted again when their leases pass",
                        batch.Count);
                    return;
                }

                logger.LogWarning(e, "Recording {Count} webhook delivery outcomes failed; trying again in {Pause}", batch.Count, pause);
                await Task.Delay(pause, clock, CancellationToken.None);
            }
        }
    }

    private void Report(List<DeliveryOutcome> batch, HashSet<Guid> recorded, List<Guid> disabled)
    {
        metrics.WebhookBatch("record", recorded.Count);
        foreach (var outcome in batch)
        {
            var delivery = outcome.Delivery;
            if (!recorded.Contains(delivery.Id))
            {
                logger.LogInformation("Webhook delivery {DeliveryId} moved on before the outcome of attempt {Attempt} ({Outcome}) was recorded; left as it is",
                    delivery.Id, delivery.Attempt, outcome.Label);
                continue;
            }

            if (outcome.Attempt is { } attempt)
            {
                metrics.WebhookAttempt(outcome.Label, attempt.StatusClass, attempt.Duration);
            }

            switch (outcome.Kind)
            {
                case DeliveryOutcomeKind.Retry:
                    MoveNextRetry(outcome.NextAttemptAt!.Value);
                    logger.LogInformation("Webhook delivery {DeliveryId} attempt {Attempt}: {Error}; next attempt at {NextAttemptAt:o}",
                        delivery.Id, delivery.Attempt, outcome.Attempt?.LastError, outcome.NextAttemptAt);
                    break;
                case DeliveryOutcomeKind.Failed:
                    logger.LogWarning("Webhook delivery {DeliveryId} of event {EventId} to webhook {WebhookId} failed after {Attempts} attempts: {Error}",
                        delivery.Id, delivery.EventId, delivery.WebhookId, delivery.Attempt, outcome.Attempt?.LastError);
                    break;
                case DeliveryOutcomeKind.Disabled:
                    logger.LogInformation("Webhook delivery {DeliveryId} not sent: webhook {WebhookId} is disabled", delivery.Id, delivery.WebhookId);
                    break;
            }
        }

        if (batch.Any(o => o.Kind == DeliveryOutcomeKind.Retry))
        {
            // The claimer sets its next wait by the earliest retry it knows of.
            wake.Set();
        }

        foreach (var webhookId in disabled)
        {
            metrics.WebhookDisabled();
            logger.LogWarning("Webhook {WebhookId} disabled: {Limit} events in a row could not be delivered", webhookId, _settings.DisableAfterFailures);
        }
    }

    private void MoveNextRetry(DateTime at)
    {
        var ticks = at.Ticks;
        var current = Interlocked.Read(ref _nextRetryTicks);
        while (ticks < current)
        {
            var seen = Interlocked.CompareExchange(ref _nextRetryTicks, ticks, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }
    }
}
