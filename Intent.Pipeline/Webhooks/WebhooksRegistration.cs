using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// The fan-out consumer (queue <c>webhook-events</c>) and the delivery consumer (queue
    /// <c>deliver-webhook</c>, <c>Webhooks:ConcurrentDeliveries</c> attempts at once) with their sender.
    /// </summary>
    public static IBusRegistrationConfigurator AddWebhookDelivery(this IBusRegistrationConfigurator bus, IConfiguration configuration)
    {
        bus.AddWebhookOptions();
        bus.TryAddSingleton<WebhookSender>();
        var concurrency = configuration.GetSection(WebhookOptions.SectionName).Get<WebhookOptions>()?.ConcurrentDeliveries ?? new WebhookOptions().ConcurrentDeliveries;
        bus.AddConsumer<FanOutWebhookEventConsumer>().Endpoint(e => e.Name = "webhook-events");
        bus.AddConsumer<DeliverWebhookConsumer>().Endpoint(e =>
        {
            e.Name = "deliver-webhook";
            e.PrefetchCount = Math.Max(1, concurrency);
            e.ConcurrentMessageLimit = Math.Max(1, concurrency);
        });
        return bus;
    }
}
