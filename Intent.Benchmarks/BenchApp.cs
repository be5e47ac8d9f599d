using Intent.Benchmarks.Outbox;

namespace Intent.Benchmarks;

/// <summary>Dispatches <c>intent-bench NAME</c>; <c>./intent bench NAME</c> prepares the services and calls it.</summary>
public static class BenchApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = BenchSettings.FromEnvironment();
        switch (args.FirstOrDefault())
        {
            case "outbox" when args.Skip(1).FirstOrDefault() is null or "wake-up" or "latency":
                await new OutboxBenchmark(settings).RunAsync(args.Skip(1).FirstOrDefault());
                return 0;
            case "materialize":
                await new Runs.MaterializeBenchmark(settings).RunAsync();
                return 0;
            case "preview":
                await new Runs.PreviewBenchmark(settings).RunAsync();
                return 0;
            case "daily":
                await new Runs.DailyBenchmark(settings).RunAsync();
                return 0;
            case "api":
                await new Runs.ApiBenchmark(settings).RunAsync();
                return 0;
            case "telemetry":
                await new Runs.TelemetryBenchmark(settings).RunAsync();
                return 0;
            case "webhooks":
                await new Webhooks.WebhooksBenchmark(settings).RunAsync();
                return 0;
            case "relay":
                await OutboxBenchHost.RunRelayProcessAsync(settings);
                return 0;
            case "raw-relay":
                await RawRelay.RunProcessAsync(settings);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: intent-bench outbox [wake-up|latency]|materialize|preview|api|daily|telemetry|webhooks");
                return 2;
        }
    }
}
