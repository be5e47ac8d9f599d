using Intent.Data;
using Intent.Data.Exports;
using Intent.ServiceDefaults.Messaging;
using Intent.Worker.Email;
using Intent.Worker.Exports;
using Intent.Worker.Runs;
using Intent.Worker.Scheduling;

namespace Intent.Worker;

public static class WorkerComposition
{
    /// <summary>
    /// Everything a worker runs: the database, the bus with the outbox relay, the run saga and
    /// materialization, export writing, ready emails and (unless left out) the clustered scheduler.
    /// </summary>
    public static IHostApplicationBuilder AddIntentWorker(this IHostApplicationBuilder builder, bool scheduling = true)
    {
        builder.AddIntentData();
        builder.AddIntentBus(bus =>
        {
            bus.AddIntentOutbox(builder.Configuration);
            bus.AddRunSaga();
            bus.AddConsumer<WriteAudienceExportConsumer>().Endpoint(e => e.Name = "write-audience-export");
            bus.AddReadyEmailConsumer();
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
