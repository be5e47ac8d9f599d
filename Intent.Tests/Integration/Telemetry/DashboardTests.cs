using System.Text.Json;
using System.Text.RegularExpressions;
using Intent.Tests.Integration.Messaging.Support;
using Intent.Tests.Integration.Runs;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>The Grafana dashboard of the observability profile only queries metrics the hosts really serve.</summary>
[Collection(IntegrationGroup.Name)]
public sealed partial class DashboardTests
{
    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_served_by_the_hosts_after_a_run()
    {
        var dashboard = Path.Combine(RepositoryRoot(), "deploy", "observability", "grafana", "dashboards", "intent.json");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(dashboard));
        var expressions = document.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
        var names = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.True(names.Count >= 5, $"the dashboard's queries name our metrics: {string.Join(", ", names)}");

        // Its own virtual host: the worker watches the error queues, and the shared ones hold what other tests faulted on purpose.
        await using var vhost = await RabbitMqControl.VirtualHostOfItsOwnAsync("dashboard");
        await using var world = await RunsWorld.CreateAsync(
            workerSettings: new Dictionary<string, string?>
            {
                ["RabbitMq:VirtualHost"] = vhost.Name,
                ["RabbitMq:Management:Url"] = TestSettings.RabbitMqManagementUrl,
            },
            apiSettings: new Dictionary<string, string?> { ["RabbitMq:VirtualHost"] = vhost.Name });
        var audience = await world.AudienceAsync(new { topicIds = new[] { 1, 2 }, minScore = 20 });
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        Assert.Equal("completed", (await world.WaitForStatusAsync(audience, runId, "completed", "failed")).GetProperty("status").GetString());

        using var worker = world.Worker!.CreateClient();
        var served = await Eventually.MatchAsync(
            async () => await Scrape.MetricsAsync(worker) + "\n" + await Scrape.MetricsAsync(world.AnonymousClient()),
            text => names.All(name => Served(text, name)),
            TimeSpan.FromSeconds(30),
            "every dashboard metric to be served");
        Assert.All(names, name => Assert.True(Served(served, name), $"{name} is not in /metrics"));
    }

    private static bool Served(string metrics, string name) =>
        metrics.Split('\n').Any(line => line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is ' ' or '{');

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Intent.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Intent.sln not found above the test assembly.");
    }

    [GeneratedRegex(@"\b(?:intent|messaging)_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
