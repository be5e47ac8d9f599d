namespace Intent.Tests.Integration.Telemetry;

/// <summary>
/// <c>OTEL_SDK_DISABLED=true</c> turns telemetry off in a host: the OpenTelemetry SDK then builds no-op
/// providers, so nothing listens to ASP.NET Core's, Npgsql's or MassTransit's activities and meters.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class TelemetryOffTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("false", true)]
    [InlineData("true", false)]
    public async Task OTEL_SDK_DISABLED_decides_whether_the_api_records_spans_and_serves_metrics(string? disabled, bool on)
    {
        var spans = new SpanCollection();
        var factory = new IntentHostFactory<Intent.Api.Program>(new Dictionary<string, string?> { ["OTEL_SDK_DISABLED"] = disabled }, spans.Record);
        string metrics;
        await using (factory)
        {
            using var client = factory.CreateClient();
            // A public route that reads PostgreSQL: a request span and an Npgsql span when telemetry is on.
            using var topics = await client.GetAsync(new Uri("/v1/intent/topics", UriKind.Relative));
            Assert.True(topics.IsSuccessStatusCode, $"/v1/intent/topics answered {(int)topics.StatusCode}");
            metrics = await Scrape.MetricsAsync(client);
        }

        // The host has stopped, so every span it would record has ended and been exported.
        var names = string.Join(", ", spans.Snapshot().Select(s => s.DisplayName));
        Assert.True(on == (spans.Count > 0), $"telemetry {(on ? "on" : "off")}, spans recorded: [{names}]");
        Assert.True(on == metrics.Contains("http_server_request_duration_seconds", StringComparison.Ordinal), $"telemetry {(on ? "on" : "off")}, /metrics: {metrics[..Math.Min(metrics.Length, 300)]}");
        if (!on)
        {
            Assert.Equal("", metrics);
        }
    }
}
