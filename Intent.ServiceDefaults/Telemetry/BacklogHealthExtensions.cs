using Intent.ServiceDefaults.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace Intent.ServiceDefaults.Telemetry;

/// <summary>The backlog checks of a relaying host's readiness: the outbox and the broker's error queues.</summary>
public static class BacklogHealthExtensions
{
    private static readonly TimeSpan ManagementTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Adds the <c>outbox</c> check (<see cref="OutboxBacklogHealthCheck"/>) and the <c>error-queues</c> check
    /// (<see cref="ErrorQueuesHealthCheck"/>) to <c>/health/ready</c>; either degraded answers 503 with its reason.
    /// Needs the PostgreSQL outbox registered (it provides the backlog reader).
    /// </summary>
    public static IHostApplicationBuilder AddBacklogHealthChecks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttpClient(RabbitMqQueues.HttpClientName, client => client.Timeout = ManagementTimeout);
        builder.Services.AddSingleton<RabbitMqQueues>();
        builder.Services.AddSingleton<ErrorQueueDepth>();
        // Create the gauge with the meter provider, so it reports from the first scrape.
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, _) => services.GetRequiredService<ErrorQueueDepth>());
        builder.Services.AddHealthChecks()
            .AddCheck<OutboxBacklogHealthCheck>("outbox", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<ErrorQueuesHealthCheck>("error-queues", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }
}
