using Intent.Pipeline;
using Intent.Pipeline.Diagnostics;
using Intent.ServiceDefaults;
using Intent.ServiceDefaults.Health;
using Intent.ServiceDefaults.Telemetry;

namespace Intent.Worker;

public sealed class Program
{
    private Program()
    {
    }

    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.AddServiceDefaults();
        builder.AddIntentTelemetry("intent-worker", consumesMessages: true, PipelineMetrics.MeterName);
        builder.AddIntentPipeline();
        builder.AddBacklogHealthChecks();

        var app = builder.Build();

        app.UseRequestIds();
        app.MapHealthEndpoints();
        app.MapIntentMetrics();

        await app.RunAsync();
    }
}
