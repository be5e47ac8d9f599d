namespace Intent.Messaging.Configuration;

/// <summary>What <see cref="PostgresOutboxRegistrationExtensions.AddPostgresOutbox{TDbContext}"/> sets up.</summary>
public sealed class PostgresOutboxConfigurator
{
    internal bool BusOutbox { get; private set; }

    internal bool Relay { get; private set; } = true;

    internal bool InboxCleanup { get; private set; } = true;

    internal bool AllEndpoints { get; private set; } = true;

    internal List<Action<PostgresOutboxOptions>> OptionActions { get; } = [];

    /// <summary>Sends and publishes from scopes with no consumed message go through the outbox too.</summary>
    public PostgresOutboxConfigurator UseBusOutbox()
    {
        BusOutbox = true;
        return this;
    }

    /// <summary>This process writes outbox rows but another relays them.</summary>
    public PostgresOutboxConfigurator DisableRelay()
    {
        Relay = false;
        return this;
    }

    public PostgresOutboxConfigurator DisableInboxCleanupService()
    {
        InboxCleanup = false;
        return this;
    }

    /// <summary>Leave receive endpoints alone; call <c>UsePostgresOutbox</c> on the ones that need it.</summary>
    public PostgresOutboxConfigurator ConfigureEndpointsManually()
    {
        AllEndpoints = false;
        return this;
    }

    public PostgresOutboxConfigurator Options(Action<PostgresOutboxOptions> configure)
    {
        OptionActions.Add(configure);
        return this;
    }
}
