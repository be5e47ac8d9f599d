using Intent.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Intent.Benchmarks.Runs;

/// <summary>The worker (saga, materialization, exports, ready emails, outbox relay; optionally the scheduler) in the benchmark process.</summary>
public static class WorkerBenchHost
{
    public static async Task<Running> StartAsync(BenchSettings settings, bool scheduling = false, IReadOnlyDictionary<string, string?>? extra = null)
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
        builder.Configuration.AddInMemoryCollection(extra ?? new Dictionary<string, string?>());
        builder.AddIntentPipeline(scheduling);

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
}
