using System.Diagnostics;
using System.Text.Json;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>A run's path through the API, the outbox, the broker and the worker is one trace.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class TraceTests
{
    private static readonly object Config = new { topicIds = new[] { 1, 2, 3 }, minScore = 40 };

    [Fact]
    public async Task A_run_is_one_trace_from_its_request_through_the_saga_and_the_snapshot_to_its_completion()
    {
        var spans = new SpanCollection();
        await using var world = await RunsWorld.CreateAsync(services: spans.Record);
        var audience = await world.AudienceAsync(Config);

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        Assert.Equal("completed", (await world.WaitForStatusAsync(audience, runId, "completed", "failed")).GetProperty("status").GetString());

        await AssertOneTraceAsync(spans, runId);
    }

    [Fact]
    public async Task Without_an_exporter_no_span_is_recorded_yet_the_workers_work_on_a_run_carries_its_requests_trace_id()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var started = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MassTransit",
            Sample = (ref _) => ActivitySamplingResult.None,
            ActivityStarted = activity =>
            {
                lock (started)
                {
                    started.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var world = await RunsWorld.CreateAsync();
        var audience = await world.AudienceAsync(Config);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/intent/audiences/{audience}/runs", UriKind.Relative));
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await world.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var runId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Data().GetProperty("id").GetGuid();
        Assert.Equal("completed", (await world.WaitForStatusAsync(audience, runId, "completed", "failed")).GetProperty("status").GetString());

        List<Activity> seen;
        lock (started)
        {
            seen = [.. started];
        }

        var consumed = seen.Where(a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Consumer).ToList();
        Assert.True(consumed.Count >= 2, $"the saga and the snapshot consumer should each have run in a span; started: {string.Join(", ", seen.Select(a => a.OperationName))}");
        Assert.All(consumed, a => Assert.Equal(traceId, a.TraceId));
        Assert.All(seen, a => Assert.False(a.Recorded, $"'{a.OperationName}' was recorded"));
    }

    /// <summary>
    /// The request's span is the root; the saga's start, the snapshot consumer and the saga's completion
    /// (the latter two in the worker) share its trace id, each a descendant of the one before.
    /// </summary>
    internal static async Task AssertOneTraceAsync(SpanCollection spans, Guid runId)
    {
        var trace = await Eventually.MatchAsync(
            () => Task.FromResult(new RunTrace(spans.Snapshot(), runId)),
            t => t.Request is not null && t.Saga("AudienceSnapshotMaterialized") is not null,
            because: "the request's and the completion's spans to be exported");

        var request = trace.Request!;
        var started = trace.Saga("MaterializeAudienceRun");
        var snapshot = trace.Consumer("MaterializeAudienceSnapshotConsumer", "MaterializeAudienceSnapshot");
        var completed = trace.Saga("AudienceSnapshotMaterialized")!;
        Assert.True(started is not null && snapshot is not null, $"spans of the saga's start and the snapshot consumer are missing:\n{trace.Describe()}");

        foreach (var span in new[] { started!, snapshot!, completed })
        {
            Assert.True(span.TraceId == request.TraceId, $"'{span.DisplayName}' is in trace {span.TraceId}, the request in {request.TraceId}:\n{trace.Describe()}");
        }

        Assert.True(request.ParentSpanId == default, $"the request's span should be the root:\n{trace.Describe()}");
        Assert.True(trace.Descends(started!, request), $"the saga's start does not descend from the request:\n{trace.Describe()}");
        Assert.True(trace.Descends(snapshot!, started!), $"the snapshot consumer does not descend from the saga's start:\n{trace.Describe()}");
        Assert.True(trace.Descends(completed, snapshot!), $"the completion does not descend from the snapshot consumer:\n{trace.Describe()}");
        Assert.Equal(ActivityKind.Consumer, completed.Kind);
    }
}
