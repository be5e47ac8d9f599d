using Intent.Data;
using Intent.Messaging.Configuration;
using MassTransit;

namespace Intent.Pipeline.Messaging;

/// <summary>The transactional outbox on <see cref="IntentDbContext"/>, as every Intent host uses it.</summary>
public static class IntentOutboxExtensions
{
    /// <summary>Configuration section of <see cref="PostgresOutboxOptions"/> (e.g. <c>Outbox__PollInterval</c>).</summary>
    public const string SectionName = "Outbox";

    /// <summary>
    /// Sends and publishes from requests and jobs commit with their changes (bus outbox); every
    /// consumer and saga handles a message once (inbox); this process relays committed messages
    /// unless <c>Outbox__Relay</c> is false (then other processes relay them).
    /// </summary>
    public static IBusRegistrationConfigurator AddIntentOutbox(this IBusRegistrationConfigurator bus, IConfiguration configuration)
    {
        bus.AddOptions<PostgresOutboxOptions>().Bind(configuration.GetSection(SectionName));
        var relay = configuration.GetValue($"{SectionName}:Relay", defaultValue: true);
        return bus.AddPostgresOutbox<IntentDbContext>(outbox =>
        {
            outbox.UseBusOutbox();
            if (!relay)
            {
                outbox.DisableRelay();
            }
        });
    }
}
