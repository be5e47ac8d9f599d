using System.Globalization;
using Intent.Messaging.Configuration;
using Intent.Messaging.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Intent.ServiceDefaults.Telemetry;

/// <summary>
/// Degraded while the oldest undelivered outbox message has waited longer than
/// <see cref="PostgresOutboxOptions.BacklogAlarmAge"/>: messages are committed but not reaching the
/// broker (broker unreachable, no relay running), which RabbitMQ's own views cannot show.
/// </summary>
public sealed class OutboxBacklogHealthCheck(IOutboxBacklog backlog, IOptions<PostgresOutboxOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var alarm = options.Value.BacklogAlarmAge;
        OutboxBacklogSnapshot snapshot;
        try
        {
            snapshot = await backlog.ReadAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The outbox backlog could not be read.", exception);
        }

        return snapshot.OldestAge > alarm
            ? HealthCheckResult.Degraded(
                string.Create(CultureInfo.InvariantCulture,
                    $"The oldest undelivered outbox message has waited {snapshot.OldestAge.TotalSeconds:0} s (alarm at {alarm.TotalSeconds:0} s); {snapshot.Pending} messages wait. Is the broker reachable and a relay (Outbox__Relay) running?"))
            : HealthCheckResult.Healthy(
                string.Create(CultureInfo.InvariantCulture, $"{snapshot.Pending} messages wait in the outbox; the oldest for {snapshot.OldestAge.TotalSeconds:0} s."));
    }
}
