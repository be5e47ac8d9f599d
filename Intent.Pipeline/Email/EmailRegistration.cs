using MassTransit;
using Microsoft.Extensions.Options;

namespace Intent.Pipeline.Email;

public static class EmailRegistration
{
    /// <summary>
    /// The ready-email sender: .eml files in <c>Email:PickupDirectory</c> when that is set, SMTP otherwise;
    /// the daily quota; settings checked at start (no unencrypted SMTP to another machine unless allowed).
    /// </summary>
    public static IServiceCollection AddReadyEmailSender(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        services.AddSingleton<ReadyEmailQuota>();
        services.AddSingleton<IReadyEmailSender>(provider =>
            string.IsNullOrWhiteSpace(provider.GetRequiredService<IOptions<EmailOptions>>().Value.PickupDirectory)
                ? ActivatorUtilities.CreateInstance<SmtpReadyEmailSender>(provider)
                : ActivatorUtilities.CreateInstance<PickupDirectoryReadyEmailSender>(provider));
        return services;
    }

    /// <summary>The ready-email consumer on queue <c>send-ready-email</c>; completed runs reach it in batches.</summary>
    public static IBusRegistrationConfigurator AddReadyEmailConsumer(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ReadyEmailConsumer>(c => c.Options<BatchOptions>(batch => batch
                .SetMessageLimit(ReadyEmailConsumer.MessageLimit).SetTimeLimit(TimeSpan.FromMilliseconds(50)).SetConcurrencyLimit(2)))
            .Endpoint(e => e.Name = "send-ready-email");
        return bus;
    }
}
