using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Intent.Tests.Integration;

/// <summary>Starts an Intent host (API or worker) in-process against the real services.</summary>
public sealed class IntentHostFactory<TEntryPoint>(IReadOnlyDictionary<string, string?>? overrides = null)
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
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
