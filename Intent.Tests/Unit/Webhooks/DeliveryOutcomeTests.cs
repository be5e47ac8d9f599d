using Intent.Pipeline.Webhooks;

namespace Intent.Tests.Unit.Webhooks;

public sealed class DeliveryOutcomeTests
{
    private static readonly WebhookOptions Options = new() { RetrySchedule = "00:00:05,00:00:30" };
    private static readonly DateTime Now = new(2026, 11, 29, 19, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_2xx_is_delivered_and_ends_the_event_for_the_webhook()
    {
        var outcome = DeliveryOutcome.Of(Claimed(attempt: 1), Answer(WebhookAttemptOutcome.Delivered, 204), Options, Now);

        Assert.Equal((DeliveryOutcomeKind.Delivered, "delivered", (DateTime?)null, true), (outcome.Kind, outcome.Label, outcome.NextAttemptAt, outcome.CountsAgainstWebhook));
    }

    [Fact]
    public void A_retryable_failure_waits_as_the_schedule_says_for_its_attempt_then_fails_for_good()
    {
        var first = DeliveryOutcome.Of(Claimed(attempt: 1), Answer(WebhookAttemptOutcome.Retryable, 503), Options, Now);
        var second = DeliveryOutcome.Of(Claimed(attempt: 2), Answer(WebhookAttemptOutcome.Retryable, 503), Options, Now);
        var last = DeliveryOutcome.Of(Claimed(attempt: 3), Answer(WebhookAttemptOutcome.Retryable, 503), Options, Now);

        Assert.Equal((DeliveryOutcomeKind.Retry, Now.AddSeconds(5), false), (first.Kind, first.NextAttemptAt, first.CountsAgainstWebhook));
        Assert.Equal((DeliveryOutcomeKind.Retry, Now.AddSeconds(30)), (second.Kind, second.NextAttemptAt));
        Assert.Equal((DeliveryOutcomeKind.Failed, "failed", (DateTime?)null, true), (last.Kind, last.Label, last.NextAttemptAt, last.CountsAgainstWebhook));
    }

    [Fact]
    public void A_retry_after_longer_than_the_wait_sets_the_next_attempt_up_to_the_longest_wait()
    {
        var asked = DeliveryOutcome.Of(Claimed(attempt: 1), Answer(WebhookAttemptOutcome.Retryable, 429, TimeSpan.FromSeconds(12)), Options, Now);
        var capped = DeliveryOutcome.Of(Claimed(attempt: 1), Answer(WebhookAttemptOutcome.Retryable, 429, TimeSpan.FromHours(1)), Options, Now);

        Assert.Equal(Now.AddSeconds(12), asked.NextAttemptAt);
        Assert.Equal(Now.AddSeconds(30), capped.NextAttemptAt);
    }

    [Fact]
    public void A_permanent_answer_fails_at_once_whatever_the_schedule_still_holds()
    {
        var outcome = DeliveryOutcome.Of(Claimed(attempt: 1), Answer(WebhookAttemptOutcome.Permanent, 410), Options, Now);

        Assert.Equal((DeliveryOutcomeKind.Failed, (DateTime?)null, true), (outcome.Kind, outcome.NextAttemptAt, outcome.CountsAgainstWebhook));
    }

    [Fact]
    public void A_test_event_never_counts_for_the_webhooks_run_of_failures()
    {
        var failed = DeliveryOutcome.Of(Claimed(attempt: 1, "webhook.test"), Answer(WebhookAttemptOutcome.Permanent, 410), Options, Now);
        var delivered = DeliveryOutcome.Of(Claimed(attempt: 1, "webhook.test"), Answer(WebhookAttemptOutcome.Delivered, 200), Options, Now);

        Assert.False(failed.CountsAgainstWebhook);
        Assert.False(delivered.CountsAgainstWebhook);
    }

    [Fact]
    public void Disabled_and_released_deliveries_make_no_attempt_and_do_not_count()
    {
        var disabled = DeliveryOutcome.Disabled(Claimed(attempt: 1), Now);
        var released = DeliveryOutcome.Released(Claimed(attempt: 1), Now);

        Assert.Equal(("disabled", (WebhookAttempt?)null, false), (disabled.Label, disabled.Attempt, disabled.CountsAgainstWebhook));
        Assert.Equal(("released", (WebhookAttempt?)null, false), (released.Label, released.Attempt, released.CountsAgainstWebhook));
    }

    private static ClaimedDelivery Claimed(int attempt, string eventType = "run.completed") =>
        new(Guid.NewGuid(), attempt, Now.AddSeconds(40), eventType, null, Guid.NewGuid(), "{}", Guid.NewGuid(), "https://example.com/hooks", true, "whsec_x", null, null);

    private static WebhookAttempt Answer(WebhookAttemptOutcome outcome, int status, TimeSpan? retryAfter = null) =>
        new(outcome, status, TimeSpan.FromMilliseconds(3), retryAfter, outcome == WebhookAttemptOutcome.Delivered ? null : $"HTTP_{status}", "answered");
}
