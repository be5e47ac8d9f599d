namespace Intent.Tests.Integration;

/// <summary>Tests against the real PostgreSQL and RabbitMQ share one migrated database.</summary>
[CollectionDefinition(Name)]
public sealed class IntegrationGroup : ICollectionFixture<IntentDatabaseFixture>
{
    public const string Name = "integration";
}
