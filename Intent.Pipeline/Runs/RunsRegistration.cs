using Intent.Data;
using Intent.Data.Runs;
using Intent.Pipeline.Diagnostics;
using Intent.Messaging.Configuration;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intent.Pipeline.Runs;

public static class RunsRegistration
{
    /// <summary>The run saga (queue <c>materialize-audience-run</c>) and the materialization consumer.</summary>
    public static IBusRegistrationConfigurator AddRunSaga(this IBusRegistrationConfigurator bus)
    {
        // The saga and its activities read the time from here (tests give their own).
        bus.TryAddSingleton(TimeProvider.System);
        bus.AddPipelineMetrics();
        bus.AddSagaStateMachine<AudienceRunStateMachine, AudienceRun>()
            .PostgresRepository<AudienceRun, IntentDbContext>()
            .Endpoint(e => e.Name = "materialize-audience-run");
        bus.AddConsumer<MaterializeAudienceSnapshotConsumer>().Endpoint(e => e.Name = "materialize-audience-snapshot");
        bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2000)));
        return bus;
    }
}
