using Intent.Data;
using Intent.ServiceDefaults.Messaging;
using Intent.Worker.Runs;
using Intent.Worker.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Intent.Benchmarks.Runs;

/// <summary>The worker's run pipeline (saga, materialization, outbox) in the benchmark process.</summary>
public static class WorkerBenchHost
{
    public static async Task<IHost> StartAsync(BenchSettings settings, bool scheduling = false)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().AddFilter((_, level) => level >= LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Intent"] = settings.ConnectionString,
            ["RabbitMq:Host"] = settings.RabbitHost,
            ["RabbitMq:Port"] = settings.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = settings.VirtualHost,
            ["RabbitMq:Username"] = settings.Username,
            ["RabbitMq:Password"] = settings.Password,
        });
        builder.AddIntentData();
        builder.AddIntentBus(bus =>
        {
            bus.AddIntentOutbox(builder.Configuration);
            bus.AddRunSaga();
        });
        if (scheduling)
        {
            builder.AddScheduling();
        }

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
