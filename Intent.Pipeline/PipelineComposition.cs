using Intent.Data;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Email;
using Intent.Pipeline.Exports;
using Intent.Pipeline.Messaging;
using Intent.Pipeline.Runs;
using Intent.Pipeline.Scheduling;
using Intent.Pipeline.Webhooks;
using Intent.ServiceDefaults.Messaging;
using MassTransit;

namespace Intent.Pipeline;

public static class PipelineComposition
{
    /// <summary>
    /// Everything a worker runs: the database, the bus with the outbox relay, the run saga and
    /// materialization, export writing, ready emails, webhook delivery and (unless left out) the clustered scheduler.
    /// </summary>
    public static IHostApplicationBuilder AddIntentPipeline(this IHostApplicationBuilder builder, bool scheduling = true)
    {
        builder.AddIntentData();
        builder.AddIntentBus(bus =>
        {
            bus.AddIntentOutbox(builder.Configuration);
            bus.AddRunSaga();
            bus.AddConsumer<WriteAudienceExportConsumer>().Endpoint(e => e.Name = "write-audience-export");
            bus.AddReadyEmailConsumer();
            bus.AddWebhookDelivery();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseConsumeFilter(typeof(RunLogScopeFilter<>), context));
        });
        builder.Services.AddIntentExports();
        builder.Services.AddReadyEmailSender();
        if (scheduling)
        {
            builder.AddScheduling();
        }

        return builder;
    }
}
