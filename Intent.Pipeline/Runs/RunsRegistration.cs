using Intent.Data;
using Intent.Data.Runs;
using Intent.Pipeline.Diagnostics;
using Intent.Messaging.Configuration;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intent.Pipeline.Runs;

public static class RunsRegistration
{
    /// <summary>
    /// The run saga (queue <c>materialize-audience-run</c>), the materialization consumer and the batches of daily
    /// runs completed from existing snapshots (queue <c>start-daily-runs</c>).
    /// </summary>
    public static IBusRegistrationConfigurator AddRunSaga(this IBusRegistrationConfigurator bus)
    {
        // The saga and its activities read the time from here (tests give their own).
        bus.TryAddSingleton(TimeProvider.System);
        bus.AddPipelineMetrics();
        bus.AddSagaStateMachine<AudienceRunStateMachine, AudienceRun>()
            .PostgresRepository<AudienceRun, IntentDbContext>()
            .Endpoint(e => e.Name = "materialize-audience-run");
        bus.AddConsumer<MaterializeAudienceSnapshotConsumer>().Endpoint(e => e.Name = "materialize-audience-snapshot");

        // Batches of daily runs: a short wait fills a batch while the daily job's messages arrive, two at once keep both cores busy.
        bus.AddConsumer<StartDailyRunsConsumer>(c => c.Options<BatchOptions>(batch => batch
                .SetMessageLimit(StartDailyRunsConsumer.MessageLimit).SetTimeLimit(TimeSpan.FromMilliseconds(50)).SetConcurrencyLimit(2)))
            .Endpoint(e => e.Name = "start-daily-runs");
        bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2000)));
        return bus;
    }
}
