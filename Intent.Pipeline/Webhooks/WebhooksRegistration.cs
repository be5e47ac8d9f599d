using Intent.Data;
using Intent.Pipeline.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Trace;

namespace Intent.Pipeline.Webhooks;

public static class WebhooksRegistration
{
    /// <summary>The <c>Webhooks</c> settings, checked at start; the API reads them too (targets, limits, grace period).</summary>
    public static IServiceCollection AddWebhookOptions(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName)
            .Validate(o => o.RetryDelays() is not null, "Webhooks:RetrySchedule must be comma-separated positive TimeSpans, e.g. 00:00:05,00:00:30,00:02:00")
            .Validate(o => o.Timeout > TimeSpan.Zero, "Webhooks:Timeout must be positive")
            .Validate(o => o.DisableAfterFailures >= 1, "Webhooks:DisableAfterFailures must be at least 1")
            .Validate(o => o.SecretGracePeriod >= TimeSpan.Zero, "Webhooks:SecretGracePeriod must not be negative")
            .Validate(o => o.DeliveryRetention > TimeSpan.Zero, "Webhooks:DeliveryRetention must be positive")
            .Validate(o => o.SweepInterval > TimeSpan.Zero, "Webhooks:SweepInterval must be positive")
            .Validate(o => o.SweepBatchSize >= 1, "Webhooks:SweepBatchSize must be at least 1")
            .Validate(o => o.MaxPerOrganization >= 0, "Webhooks:MaxPerOrganization must be 0 or more")
            .Validate(o => o.ConcurrentDeliveries >= 1, "Webhooks:ConcurrentDeliveries must be at least 1")
            .Validate(o => o.BatchSize >= 1, "Webhooks:BatchSize must be at least 1")
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Webhooks:PollInterval must be positive")
            .Validate(o => o.LeaseMargin > TimeSpan.Zero, "Webhooks:LeaseMargin must be positive")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// The fan-out consumer (queue <c>webhook-events</c>) and the <see cref="WebhookDeliveryLoop"/> with its
    /// sender, its statements, its wake-up after the fan-out's commits and its spans.
    /// </summary>
    public static IBusRegistrationConfigurator AddWebhookDelivery(this IBusRegistrationConfigurator bus)
    {
        bus.AddWebhookOptions();
        bus.AddPipelineMetrics();
        bus.TryAddSingleton<WebhookSender>();
        bus.TryAddSingleton<WebhookDeliveryStore>();
        bus.TryAddSingleton<WebhookDeliverySignal>();
        bus.TryAddSingleton<WebhookDeliveryWakeUp>();
        bus.ConfigureDbContext<IntentDbContext>((services, db) => db.AddInterceptors(services.GetRequiredService<WebhookDeliveryWakeUp>()));
        // Batches of events: a short wait fills a batch while events arrive together, two at once keep both cores busy.
        bus.AddConsumer<FanOutWebhookEventConsumer>(c => c.Options<BatchOptions>(batch => batch
                .SetMessageLimit(FanOutWebhookEventConsumer.MessageLimit).SetTimeLimit(TimeSpan.FromMilliseconds(20)).SetConcurrencyLimit(2)))
            .Endpoint(e => e.Name = "webhook-events");
        bus.AddHostedService<WebhookDeliveryLoop>();
        bus.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(WebhookDeliveryLoop.ActivitySourceName));
        return bus;
    }
}
