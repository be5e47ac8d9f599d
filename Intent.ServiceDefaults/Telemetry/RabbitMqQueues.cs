using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Intent.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;

namespace Intent.ServiceDefaults.Telemetry;

/// <summary>The queues of the bus's virtual host and their depths, from the RabbitMQ management HTTP API.</summary>
public sealed class RabbitMqQueues(IHttpClientFactory httpClients, IOptions<RabbitMqOptions> broker)
{
    public const string HttpClientName = "rabbitmq-management";

    /// <summary>MassTransit moves a message that keeps failing on <c>q</c> to <c>q_error</c>.</summary>
    public const string ErrorSuffix = "_error";

    public static bool IsErrorQueue(string name) => name.Length > ErrorSuffix.Length && name.EndsWith(ErrorSuffix, StringComparison.Ordinal);

    /// <summary>Whether a management API is configured at all.</summary>
    public bool Watched => !string.IsNullOrWhiteSpace(broker.Value.Management.Url);

    /// <summary>Every queue of the virtual host with its message count; throws when the API does not answer.</summary>
    public async Task<List<(string Name, long Messages)>> ListAsync(CancellationToken cancellationToken)
    {
        var settings = broker.Value.Management;
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
}
