using System.Collections.Concurrent;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>A run's life shows in the hosts' metrics, and every log line written while it is processed names it.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class PipelineMetricsTests
{
    [Fact]
    public async Task A_completed_run_shows_its_transitions_waits_durations_and_rows_and_its_log_lines_carry_its_id()
    {
        var entries = new ConcurrentQueue<Entry>();
        await using var world = await RunsWorld.CreateAsync(
            workerSettings: new Dictionary<string, string?> { ["Logging:LogLevel:Intent"] = "Information" },
            services: services => services.AddSingleton<ILoggerProvider>(_ => new CapturingLoggerProvider(entries)));
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1, 2, 3 }, minScore = 20 });
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", run.GetProperty("status").GetString());

        var metrics = await Scrape.MetricsAsync(world.Worker!.CreateClient());
        Assert.True(Scrape.Value(metrics, "intent_runs_transitions_total", "from=\"queued\",run_type=\"manual\",to=\"running\"") >= 1,
            $"queued → running counted:\n{Lines(metrics, "intent_runs_transitions")}");
        Assert.True(Scrape.Value(metrics, "intent_runs_transitions_total", "from=\"running\",run_type=\"manual\",to=\"completed\"") >= 1,
            $"running → completed counted:\n{Lines(metrics, "intent_runs_transitions")}");
        Assert.True(Scrape.Value(metrics, "intent_runs_queue_wait_seconds_count") >= 1, "queue wait recorded");
        Assert.True(Scrape.Value(metrics, "intent_runs_materialization_duration_seconds_count") >= 1, "materialization time recorded");
        Assert.True(Scrape.Value(metrics, "intent_runs_duration_seconds_count") >= 1, "end-to-end time recorded");
        Assert.Equal(run.GetProperty("resultCount").GetInt64(), Scrape.Value(metrics, "intent_runs_rows_materialized_total"));
        Assert.DoesNotContain(runId.ToString(), metrics, StringComparison.OrdinalIgnoreCase);

        var lines = entries.Where(e => e.Category.StartsWith("Intent.Pipeline", StringComparison.Ordinal) && e.RunId is not null).ToList();
        Assert.True(lines.Count > 0, "log lines with a run id; seen:\n" + string.Join('\n', entries.Where(e => e.Category.StartsWith("Intent", StringComparison.Ordinal)).Take(30).Select(e => $"{e.Category} [{e.RunId}] {e.Message}")));
        Assert.All(lines, e => Assert.Equal(runId, e.RunId));
        Assert.Contains(entries, e => e.Category.Contains("MaterializeAudienceSnapshotConsumer", StringComparison.Ordinal) && e.RunId == runId);
    }

    [Fact]
    public async Task A_cancelled_run_is_counted_by_the_API()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1 } });
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();

        var (cancelled, _) = await world.Client.SendAsync(HttpMethod.Delete, $"/v1/intent/audiences/{audience}/runs/{runId}");
        Assert.Equal(System.Net.HttpStatusCode.OK, cancelled.StatusCode);

        var metrics = await Scrape.MetricsAsync(world.AnonymousClient());
        Assert.Equal(1, Scrape.Value(metrics, "intent_runs_transitions_total", "from=\"queued\",run_type=\"manual\",to=\"cancelled\""));
    }

    private static string Lines(string metrics, string prefix) =>
        string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)));

    private sealed record Entry(string Category, string Message, Guid? RunId);

    /// <summary>Log lines with the run id of their scope, if any; one provider per host (each host has its own scopes), one queue for all.</summary>
    private sealed class CapturingLoggerProvider(ConcurrentQueue<Entry> entries) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private void Add(Entry entry) => entries.Enqueue(entry);

        private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                Guid? runId = null;
                provider._scopes.ForEachScope(
                    (scope, _) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object>> pairs && pairs.FirstOrDefault(p => p.Key == "RunId").Value is Guid id)
                        {
                            runId = id;
                        }
                    },
                    (object?)null);
                provider.Add(new Entry(category, formatter(state, exception), runId));
            }
        }
    }
}
