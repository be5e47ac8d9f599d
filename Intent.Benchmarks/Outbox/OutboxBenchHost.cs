using System.Collections.Concurrent;
using System.Diagnostics;
using Intent.Data;
using Intent.Messaging.Configuration;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Intent.Benchmarks.Outbox;

/// <summary>Commit and receive times of benchmark messages, by id (Stopwatch ticks, one process).</summary>
public sealed class LatencyRecorder
{
    public ConcurrentDictionary<long, long> Committed { get; } = new();

    public ConcurrentDictionary<long, long> Received { get; } = new();
}

/// <summary>Records when each <see cref="BenchPing"/> arrives.</summary>
public sealed class BenchPingConsumer(LatencyRecorder recorder) : IConsumer<BenchPing>
{
    public Task Consume(ConsumeContext<BenchPing> context)
    {
        recorder.Received.TryAdd(context.Message.Id, Stopwatch.GetTimestamp());
        return Task.CompletedTask;
    }
}

/// <summary>A benchmark process: writer (bus outbox), relay (delivery service) and/or consumer, in any mix.</summary>
public sealed class OutboxBenchHost : IAsyncDisposable
{
    private readonly IHost _host;

    private OutboxBenchHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public LatencyRecorder Recorder => Services.GetRequiredService<LatencyRecorder>();

    public static async Task<OutboxBenchHost> StartAsync(BenchSettings settings, bool relay, bool consumer)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().AddFilter((_, level) => level >= LogLevel.Warning);
        builder.Services.AddSingleton<LatencyRecorder>();
        builder.Services.AddSingleton<CommandCapture>();
        builder.Services.AddDbContextPool<IntentDbContext>((services, db) =>
            db.UseIntentPostgres(settings.ConnectionString).AddInterceptors(services.GetRequiredService<CommandCapture>()));
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddPostgresOutbox<IntentDbContext>(outbox =>
            {
                outbox.UseBusOutbox().ConfigureEndpointsManually().DisableInboxCleanupService();
                if (!relay)
                {
                    outbox.DisableRelay();
                }
            });

            if (consumer)
            {
                bus.AddConsumer<BenchPingConsumer>().Endpoint(e =>
                {
                    e.Name = "bench-ping";
                    e.ConcurrentMessageLimit = 32;
                });
            }

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(settings.RabbitHost, settings.RabbitPort, settings.VirtualHost, host =>
                {
                    host.Username(settings.Username);
                    host.Password(settings.Password);
                });
                rabbit.ConfigureEndpoints(context);
            });
        });

        var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        return new OutboxBenchHost(host);
    }

    /// <summary>Commits one message through the bus outbox, as an API request would.</summary>
    public async Task WriteAsync(long id)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>()
            .Publish(new BenchPing(id, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()));
        await db.SaveChangesAsync();
        Recorder.Committed.TryAdd(id, Stopwatch.GetTimestamp());
    }

    /// <summary>The child process of the cross-process runs: a relay only, until its input closes.</summary>
    public static async Task RunRelayProcessAsync(BenchSettings settings)
    {
        await using var relay = await StartAsync(settings, relay: true, consumer: false);
        await RelayProcess.ServeParentAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
