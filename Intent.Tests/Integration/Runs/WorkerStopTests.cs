using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// A worker process told to stop (SIGTERM, as a deployment stops it) while its relay hands thousands of
/// messages to the broker: it writes no error or exception, and what it did not send is sent by the next worker.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class WorkerStopTests
{
    private const int Audiences = 5_000;

    [Fact]
    public async Task A_worker_stopped_mid_relay_logs_no_fault_and_its_undelivered_messages_are_delivered_after_restart()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var first = await world.AudienceAsync(new { topicIds = new[] { 1, 2 } }, "daily 0");
        await world.Database.ExecuteAsync($"""
            INSERT INTO audiences (id, organization_id, name, status, daily_refresh_enabled, config, config_hash, audience_size, created_at, updated_at)
            SELECT gen_random_uuid(), organization_id, 'daily ' || n, 'active', true, config, config_hash, 0, now(), now()
            FROM audiences, generate_series(1, {Audiences - 1}) n WHERE id = '{first}'
            """);

        // One relay transaction at a time, ten messages each: sends are on their way nearly all the time, so the stop lands among them.
        var output = new ConcurrentQueue<string>();
        var worker = world.StartWorkerProcess(output, new Dictionary<string, string>
        {
            ["Outbox__RelayLoops"] = "1", ["Outbox__RelayBatchSize"] = "10", ["Outbox__RelayParallelism"] = "10",
        });
        try
        {
            await RunCliAsync(world, "schedule", "run-daily");
            await Eventually.MatchAsync(() => WaitingAsync(world), waiting => waiting is > 0 and < Audiences, TimeSpan.FromSeconds(90),
                "the relay to be handing the daily runs' messages to the broker");
            await StopAsync(worker);
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            worker.Dispose();
        }

        Assert.True(await WaitingAsync(world) > 0, "the stop should come while messages of the daily runs wait in the outbox");
        var faults = output.Where(Faulted).ToList();
        Assert.True(faults.Count == 0, $"the stopping worker logged {faults.Count} errors or exceptions, e.g.:\n{string.Join("\n", faults.Take(3))}");

        var restarted = world.StartWorkerProcess(new ConcurrentQueue<string>());
        try
        {
            await Eventually.MatchAsync(() => CompletedAsync(world), completed => completed == Audiences, TimeSpan.FromSeconds(240),
                "every daily run to complete after the restart");
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            restarted.Dispose();
        }

        Assert.Equal(0L, await WaitingAsync(world));
    }

    private static Task<long> WaitingAsync(RunsWorld world) =>
        world.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_message WHERE message_type LIKE '%:MaterializeAudienceRun'");

    private static Task<long> CompletedAsync(RunsWorld world) =>
        world.Database.ScalarAsync<long>("SELECT count(*) FROM audience_runs WHERE run_type = 'daily' AND status = 'completed'");

    /// <summary>A JSON log line at error level or above, or carrying an exception; anything else the process wrote that is not JSON.</summary>
    private static bool Faulted(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(line);
            var level = json.RootElement.TryGetProperty("LogLevel", out var l) ? l.GetString() : null;
            return level is "Error" or "Critical" || json.RootElement.TryGetProperty("Exception", out _);
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <summary>SIGTERM, then the host's own shutdown; a worker still running after a minute fails the test.</summary>
    private static async Task StopAsync(Process worker)
    {
        using (var kill = Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await worker.WaitForExitAsync(timeout.Token);
    }

    private static async Task RunCliAsync(RunsWorld world, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "intent-cli.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ConnectionStrings__Intent"] = world.Database.ConnectionString;
        using var cli = Process.Start(start)!;
        var printed = await cli.StandardOutput.ReadToEndAsync();
        var failed = await cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync();
        Assert.True(cli.ExitCode == 0, printed + failed);
    }
}
