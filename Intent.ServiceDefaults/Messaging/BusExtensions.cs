using MassTransit;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Intent.ServiceDefaults.Messaging;

/// <summary>Connects a host to RabbitMQ through MassTransit, the same way in every host.</summary>
public static class BusExtensions
{
    /// <summary>
    /// Adds MassTransit on RabbitMQ with kebab-case queue names. <paramref name="configure"/>
    /// adds the host's consumers, sagas and outbox.
    /// </summary>
    public static IHostApplicationBuilder AddIntentBus(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        builder.Services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.SectionName);

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            configure?.Invoke(bus);

            bus.UsingRabbitMq((context, rabbit) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                rabbit.Host(options.Host, options.Port, options.VirtualHost, host =>
                {
                    host.Username(options.Username);
                    host.Password(options.Password);
                });
                rabbit.ConfigureEndpoints(context);
            });
        });

        return builder;
    }
}
