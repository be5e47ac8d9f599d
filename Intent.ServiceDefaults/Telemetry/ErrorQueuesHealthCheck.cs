using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Intent.ServiceDefaults.Telemetry;

/// <summary>
/// Degraded while an <c>_error</c> queue of the bus's virtual host holds messages (messages that kept
/// failing wait there), read from the RabbitMQ management HTTP API. An unreachable management API is
/// reported in the description and does not by itself make the host unready.
/// </summary>
public sealed class ErrorQueuesHealthCheck(RabbitMqQueues queues) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!queues.Watched)
        {
            return HealthCheckResult.Healthy("Error queues are not watched (RabbitMq__Management__Url is empty).");
        }

        List<(string Name, long Messages)> all;
        try
        {
            all = await queues.ListAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Healthy($"Error queues were not checked: the RabbitMQ management API did not answer ({Reason(exception)}).");
        }

        var holding = all.Where(q => RabbitMqQueues.IsErrorQueue(q.Name) && q.Messages > 0).OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
        return holding.Count == 0
            ? HealthCheckResult.Healthy("No error queue holds messages.")
            : HealthCheckResult.Degraded(
                "Error queues hold messages that kept failing: "
                + string.Join(", ", holding.Select(q => string.Create(CultureInfo.InvariantCulture, $"{q.Name} ({q.Messages})")))
                + ".");
    }

    private static string Reason(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: { } status } => string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status}"),
        HttpRequestException { HttpRequestError: var error } => error.ToString(),
        TaskCanceledException => "timed out",
        _ => "unreadable answer",
    };
}
