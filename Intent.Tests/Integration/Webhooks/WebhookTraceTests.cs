using System.Diagnostics;
using System.Net;
using Intent.Pipeline.Webhooks;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;
using Intent.Tests.Integration.Telemetry;

namespace Intent.Tests.Integration.Webhooks;

/// <summary>A webhook event continues the trace of the change it reports, through the outbox, the fan-out and the POST.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class WebhookTraceTests
{
    [Fact]
    public async Task A_run_queued_event_is_delivered_in_the_trace_of_the_request_that_queued_the_run()
    {
        var spans = new SpanCollection();
        var settings = new Dictionary<string, string?> { ["Webhooks:AllowPrivateTargets"] = "true" };
        await using var world = await RunsWorld.CreateAsync(workerSettings: settings, apiSettings: settings, services: spans.Record);
        await using var receiver = await WebhookReceiver.StartAsync();
        var url = receiver.NewUrl();
        var (created, _) = await world.Client.SendAsync(HttpMethod.Post, "/v1/intent/webhooks", new { url, events = new[] { "run.queued" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1, 2 }, minScore = 40 });

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        await receiver.WaitForAsync(url, 1);

        var trace = await Eventually.MatchAsync(
            () => Task.FromResult(new RunTrace(spans.Snapshot(), runId)),
            t => t.Request is not null && t.Consumer("FanOutWebhookEventConsumer", "FanOutWebhookEvent") is not null && Attempt(spans) is not null
                && spans.Snapshot().Any(s => s.Kind == ActivityKind.Client && (s.GetTagItem("url.full") as string) == url),
            because: "the request's, the fan-out's, the attempt's and the POST's spans to be exported");
        var request = trace.Request!;
        var fanOut = trace.Consumer("FanOutWebhookEventConsumer", "FanOutWebhookEvent")!;
        var attempt = Attempt(spans)!;
        var post = spans.Snapshot().First(s => s.Kind == ActivityKind.Client && (s.GetTagItem("url.full") as string) == url);
        Assert.True(trace.Descends(fanOut, request), $"the fan-out does not descend from the request:\n{trace.Describe()}");
        Assert.True(trace.Descends(attempt, fanOut), $"the delivery attempt does not descend from the fan-out:\n{trace.Describe()}");
        Assert.True(trace.Descends(post, attempt), $"the POST does not descend from the delivery attempt:\n{trace.Describe()}");
        Assert.Equal(request.TraceId, post.TraceId);
        Assert.Equal("delivered", attempt.GetTagItem("webhook.outcome"));
    }

    private static Activity? Attempt(SpanCollection spans) =>
        spans.Snapshot().FirstOrDefault(s => s.Source.Name == WebhookDeliveryLoop.ActivitySourceName && s.DisplayName == WebhookDeliveryLoop.AttemptSpanName);
}
