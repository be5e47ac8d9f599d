using Intent.Messaging.Diagnostics;

namespace Intent.Tests.Unit.Telemetry;

public sealed class DestinationNamesTests
{
    [Theory]
    [InlineData("rabbitmq://127.0.0.1/intent/materialize-audience-run", "materialize-audience-run")]
    [InlineData("rabbitmq://127.0.0.1/Intent.Contracts.Runs:AudienceRunCompleted", "Intent.Contracts.Runs:AudienceRunCompleted")]
    [InlineData("rabbitmq://127.0.0.1/intent-test/write-audience-export?durable=true", "write-audience-export")]
    [InlineData("queue:materialize-audience-snapshot", "materialize-audience-snapshot")]
    [InlineData("exchange:Intent.Contracts.Runs:MaterializeAudienceRun", "Intent.Contracts.Runs:MaterializeAudienceRun")]
    [InlineData("rabbitmq://127.0.0.1/intent/host_worker_bus_6a2oyyfpkiyyxsdrbdp3nn8y8h?temporary=true", OutboxMetrics.TemporaryDestination)]
    [InlineData("rabbitmq://127.0.0.1/intent/response-queue?autodelete=true&durable=false", OutboxMetrics.TemporaryDestination)]
    [InlineData("rabbitmq://127.0.0.1/", "unknown")]
    public void A_destination_label_is_the_queue_or_exchange_name_and_temporary_queues_share_one(string address, string expected) =>
        Assert.Equal(expected, OutboxMetrics.DestinationName(new Uri(address)));

    [Fact]
    public void A_missing_address_is_unknown() => Assert.Equal("unknown", OutboxMetrics.DestinationName(null));
}
