using System.Text;
using Intent.Tests.Integration.Api;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>Operators count refused requests by their error code, from the request metric they already scrape.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class RefusalMetricsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string Requests = "http_server_request_duration_seconds_count";

    [Fact]
    public async Task Each_refusal_labels_the_request_metric_with_its_error_code()
    {
        var (client, _, _) = await api.CallerAsync();
        var before = await Scrape.MetricsAsync(client);

        using (var unauthorized = await api.Anonymous().GetAsync(new Uri("/v1/intent/audiences", UriKind.Relative)))
        {
            Assert.Equal(401, (int)unauthorized.StatusCode);
        }

        var repeated = new StringContent("""{"name":"a","name":"b"}""", Encoding.UTF8, "application/json");
        using (var invalid = await client.PostAsync(new Uri("/v1/intent/audiences", UriKind.Relative), repeated))
        {
            Assert.Equal(400, (int)invalid.StatusCode);
        }

        // The exporter answers a scrape from a short-lived cache, so the refusals show on a later one.
        string[] codes = ["UNAUTHORIZED", "VALIDATION_ERROR"];
        double Counted(string metrics, string code) =>
            (Scrape.Value(metrics, Requests, $"intent_error_code=\"{code}\"") ?? 0) - (Scrape.Value(before, Requests, $"intent_error_code=\"{code}\"") ?? 0);
        var after = await Eventually.MatchAsync(
            () => Scrape.MetricsAsync(client), metrics => codes.All(code => Counted(metrics, code) >= 1), because: "each refusal to be counted under its code");

        var successes = after.Split('\n').Where(l => l.StartsWith(Requests, StringComparison.Ordinal) && l.Contains("http_response_status_code=\"200\"", StringComparison.Ordinal));
        Assert.All(successes, line => Assert.DoesNotContain("intent_error_code", line, StringComparison.Ordinal));
    }
}
