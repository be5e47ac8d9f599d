using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intent.Tests.Integration;

/// <summary>
/// Starts an Intent host (API or worker) in-process against the real services; <c>services</c> adds to
/// its registrations (e.g. an in-memory span exporter).
/// </summary>
public sealed class IntentHostFactory<TEntryPoint>(IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new TestHostLoggerProvider(typeof(TEntryPoint).Namespace ?? typeof(TEntryPoint).Name));
        });
        builder.UseSetting("ConnectionStrings:Intent", TestSettings.ConnectionString);
        builder.UseSetting("RabbitMq:Host", TestSettings.RabbitMqHost);
        builder.UseSetting("RabbitMq:Port", TestSettings.RabbitMqPort);
        builder.UseSetting("RabbitMq:VirtualHost", TestSettings.RabbitMqVirtualHost);
        builder.UseSetting("RabbitMq:Username", TestSettings.RabbitMqUsername);
        builder.UseSetting("RabbitMq:Password", TestSettings.RabbitMqPassword);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Exports:SigningKey", TestSettings.ExportsSigningKey);
        builder.UseSetting("Exports:Directory", TestSettings.ExportsDirectory);
        builder.UseSetting("Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks", "Critical");
        // Error queues of the shared test virtual host hold what earlier tests faulted on purpose; the tests of that check turn it on.
        builder.UseSetting("RabbitMq:Management:Url", "");
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }
}
