using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Intent.ServiceDefaults.Messaging;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Intent.ServiceDefaults.Telemetry;

/// <summary>
/// Degraded while an <c>_error</c> queue of the bus's virtual host holds messages (messages that kept
/// failing wait there), read from the RabbitMQ management HTTP API. An unreachable management API is
/// reported in the description and does not by itself make the host unready.
/// </summary>
public sealed class ErrorQueuesHealthCheck(
    IHttpClientFactory httpClients,
    IOptions<RabbitMqManagementOptions> management,
    IOptions<RabbitMqOptions> broker) : IHealthCheck
{
    public const string HttpClientName = "rabbitmq-management";

    private const string ErrorSuffix = "_error";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = management.Value;
        if (string.IsNullOrWhiteSpace(settings.Url))
        {
            return HealthCheckResult.Healthy("Error queues are not watched (RabbitMq__Management__Url is empty).");
        }

        List<(string Name, long Messages)> queues;
        try
        {
            queues = await QueuesAsync(settings, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Healthy($"Error queues were not checked: the RabbitMQ management API did not answer ({Reason(exception)}).");
        }

        var holding = queues.Where(q => q.Name.EndsWith(ErrorSuffix, StringComparison.Ordinal) && q.Messages > 0).OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
        return holding.Count == 0
            ? HealthCheckResult.Healthy("No error queue holds messages.")
            : HealthCheckResult.Degraded(
                "Error queues hold messages that kept failing: "
                + string.Join(", ", holding.Select(q => string.Create(CultureInfo.InvariantCulture, $"{q.Name} ({q.Messages})")))
                + ".");
    }

    private async Task<List<(string Name, long Messages)>> QueuesAsync(RabbitMqManagementOptions settings, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        var vhost = Uri.EscapeDataString(broker.Value.VirtualHost);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(settings.Url!.TrimEnd('/') + "/"), $"api/queues/{vhost}?columns=name,messages"));
        var credentials = $"{settings.Username ?? broker.Value.Username}:{settings.Password ?? broker.Value.Password}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));

        using var response = await client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        return document.RootElement.EnumerateArray()
            .Select(q => (
                q.GetProperty("name").GetString() ?? "",
                q.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number ? messages.GetInt64() : 0))
            .ToList();
    }

    private static string Reason(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: { } status } => string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status}"),
        HttpRequestException { HttpRequestError: var error } => error.ToString(),
        TaskCanceledException => "timed out",
        _ => "unreadable answer",
    };
}
