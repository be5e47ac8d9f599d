using System.Net;
using System.Text.Json;

namespace Intent.Tests.Integration.Hosting;

[Collection(IntegrationGroup.Name)]
public sealed class HealthTests
{
    [Fact]
    public async Task Api_is_ready_when_PostgreSQL_and_RabbitMQ_are_reachable()
    {
        await using var api = new IntentHostFactory<global::Intent.Api.Program>();
        using var client = api.CreateClient();

        var (status, body) = await WaitForReadyAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        var checks = body.RootElement.GetProperty("data").GetProperty("checks");
        Assert.Equal("healthy", checks.GetProperty("postgresql").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("masstransit-bus").GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("meta").GetProperty("request_id").GetString()));
    }

    [Fact]
    public async Task Worker_starts_and_connects_to_the_broker()
    {
        await using var worker = new IntentHostFactory<global::Intent.Worker.Program>();
        using var client = worker.CreateClient();

        var (status, body) = await WaitForReadyAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        var bus = body.RootElement.GetProperty("data").GetProperty("checks").GetProperty("masstransit-bus");
        Assert.Equal("healthy", bus.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Api_is_not_ready_with_an_unreachable_database_and_says_so_in_the_envelope()
    {
        await using var api = new IntentHostFactory<global::Intent.Api.Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Intent"] = "Host=127.0.0.1;Port=1;Database=intent;Username=intent;Password=intent;Timeout=2",
        });
        using var client = api.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("NOT_READY", error.GetProperty("code").GetString());
        Assert.Contains("postgresql", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("unhealthy", error.GetProperty("details").GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), body.RootElement.GetProperty("meta").GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task Liveness_answers_without_touching_dependencies()
    {
        await using var api = new IntentHostFactory<global::Intent.Api.Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Intent"] = "Host=127.0.0.1;Port=1;Database=intent;Username=intent;Password=intent;Timeout=2",
        });
        using var client = api.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_endpoints_auth_and_examples_and_the_reference_is_served()
    {
        await using var api = new IntentHostFactory<global::Intent.Api.Program>();
        using var client = api.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/intent/audiences", out var audiences));
        Assert.True(paths.TryGetProperty("/v1/intent/topics", out _));
        var schemes = document.RootElement.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("x-api-key", schemes.GetProperty("apiKey").GetProperty("name").GetString());
        var example = audiences.GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("Directors researching CRM", example.GetProperty("name").GetString());

        using var reference = await client.GetAsync(new Uri("/docs/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, JsonDocument Body)> WaitForReadyAsync(HttpClient client)
    {
        var (status, text) = await Eventually.MatchAsync(
            async () =>
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            },
            observed => observed.StatusCode == HttpStatusCode.OK,
            because: "/health/ready to answer 200");
        return (status, JsonDocument.Parse(text));
    }
}
