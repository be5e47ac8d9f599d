using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>The worker's readiness watches the broker's error queues through the RabbitMQ management API.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class ErrorQueueTests
{
    [Fact]
    public async Task The_worker_is_degraded_while_an_error_queue_holds_messages_and_ready_once_it_is_emptied()
    {
        // A virtual host of its own: the shared test vhost's error queues hold what other tests faulted on purpose.
        var vhost = TestSettings.RabbitMqVirtualHost + "-error-queues";
        using var management = ManagementClient();
        var path = Uri.EscapeDataString(vhost);
        (await management.PutAsJsonAsync(new Uri($"api/vhosts/{path}", UriKind.Relative), new { })).EnsureSuccessStatusCode();
        try
        {
            (await management.PutAsJsonAsync(new Uri($"api/permissions/{path}/{Uri.EscapeDataString(TestSettings.RabbitMqUsername)}", UriKind.Relative),
                new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
            await using var database = await ScratchDatabase.CreateAsync();
            await using var worker = new IntentHostFactory<global::Intent.Worker.Program>(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Intent"] = database.ConnectionString,
                ["RabbitMq:VirtualHost"] = vhost,
                ["RabbitMq:Management:Url"] = TestSettings.RabbitMqManagementUrl,
            });
            using var client = worker.CreateClient();
            var (_, ready) = await Eventually.MatchAsync(() => Health.ReadyAsync(client), h => h.Status == HttpStatusCode.OK, because: "the worker to be ready");
            Assert.Equal("No error queue holds messages.", Health.Check(ready, "error-queues").GetProperty("description").GetString());

            const string queue = "materialize-audience-snapshot_error";
            (await management.PutAsJsonAsync(new Uri($"api/queues/{path}/{queue}", UriKind.Relative), new { durable = true })).EnsureSuccessStatusCode();
            (await management.PostAsJsonAsync(new Uri($"api/exchanges/{path}/amq.default/publish", UriKind.Relative),
                new { properties = new { }, routing_key = queue, payload = "faulted", payload_encoding = "string" })).EnsureSuccessStatusCode();

            var (_, degraded) = await Eventually.MatchAsync(() => Health.ReadyAsync(client), h => h.Status == HttpStatusCode.ServiceUnavailable,
                because: "the worker to report the error queue");
            Assert.Contains("error-queues is degraded", degraded.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            var check = Health.Check(degraded, "error-queues");
            Assert.Equal("degraded", check.GetProperty("status").GetString());
            Assert.Contains($"{queue} (1)", check.GetProperty("description").GetString(), StringComparison.Ordinal);

            (await management.DeleteAsync(new Uri($"api/queues/{path}/{queue}/contents", UriKind.Relative))).EnsureSuccessStatusCode();
            await Eventually.MatchAsync(() => Health.ReadyAsync(client), h => h.Status == HttpStatusCode.OK, because: "the worker to be ready once the queue is empty");
        }
        finally
        {
            using var _ = await management.DeleteAsync(new Uri($"api/vhosts/{path}", UriKind.Relative));
        }
    }

    [Fact]
    public async Task An_unreachable_management_API_is_reported_without_making_the_worker_unready()
    {
        await using var worker = new IntentHostFactory<global::Intent.Worker.Program>(new Dictionary<string, string?>
        {
            ["RabbitMq:Management:Url"] = "http://127.0.0.1:1",
        });
        using var client = worker.CreateClient();

        var (_, body) = await Eventually.MatchAsync(() => Health.ReadyAsync(client), h => h.Status == HttpStatusCode.OK, because: "the worker to be ready");

        var check = Health.Check(body, "error-queues");
        Assert.Equal("healthy", check.GetProperty("status").GetString());
        Assert.Contains("management API did not answer", check.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private static HttpClient ManagementClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(TestSettings.RabbitMqManagementUrl.TrimEnd('/') + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSettings.RabbitMqUsername}:{TestSettings.RabbitMqPassword}")));
        return client;
    }
}
