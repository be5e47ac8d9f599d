using Intent.Data;
using Intent.Pipeline;
using Intent.Pipeline.Messaging;
using Intent.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Intent.Benchmarks.Runs;

/// <summary>The worker (saga, materialization, exports, ready emails, outbox relay; optionally the scheduler) in the benchmark process.</summary>
public static class WorkerBenchHost
{
    /// <summary>Starts a worker; <paramref name="configuration"/> adds settings (e.g. <c>Outbox:Relay</c>).</summary>
    public static async Task<Running> StartAsync(BenchSettings settings, bool scheduling = false, IReadOnlyDictionary<string, string?>? configuration = null)
    {
        var builder = Builder(settings);
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.AddIntentPipeline(scheduling);

        var host = builder.Build();
        await host.StartAsync();
        return new Running(host);
    }

    /// <summary>A host that only relays the outbox to RabbitMQ: no consumer, so what it relays waits in the queues.</summary>
    public static async Task<Running> StartRelayAsync(BenchSettings settings)
    {
        var builder = Builder(settings);
        builder.AddIntentData();
        builder.AddIntentBus(bus => bus.AddIntentOutbox(builder.Configuration));

        var host = builder.Build();
        await host.StartAsync();
        return new Running(host);
    }

    /// <summary>A started worker; disposing it stops it first, so the benchmark process can exit.</summary>
    public sealed class Running(IHost host) : IAsyncDisposable
    {
        public IServiceProvider Services => host.Services;

        public async ValueTask DisposeAsync()
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await host.StopAsync(timeout.Token);
            }

            host.Dispose();
        }
    }

    // Warnings only, on the benchmark's database and virtual host.
    private static HostApplicationBuilder Builder(BenchSettings settings)
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
        return builder;
    }
}
