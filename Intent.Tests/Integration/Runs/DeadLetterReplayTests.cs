using Intent.Cli.Errors;
using Intent.Contracts.Runs;
using Intent.Tests.Integration.Messaging.Support;
using Intent.Pipeline;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// A run's materialization that faulted into <c>materialize-audience-snapshot_error</c> while the database could not be reached
/// is finished by <c>intent errors replay</c> once a healthy worker runs.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class DeadLetterReplayTests
{
    private const string ErrorQueue = "materialize-audience-snapshot_error";

    private static readonly object Config = new { topicIds = new[] { 1, 2, 3 }, minScore = 30, minTopicOverlap = 1 };

    private const string ResultsSql = """
        SELECT count(DISTINCT person_id) FROM intent_scores
        WHERE data_date = '2001-01-02' AND topic_id IN (1, 2, 3) AND score BETWEEN 30 AND 100
        """;

    [Fact]
    public async Task A_materialization_that_faulted_while_the_database_was_unreachable_completes_its_run_after_replay()
    {
        await using var world = await RunsWorld.CreateAsync(worker: false);
        var audience = await world.AudienceAsync(Config);
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        // As the saga leaves a run it has handed to materialization: running its first attempt, nothing else under way for it.
        await world.Database.ExecuteAsync($"""
            DELETE FROM outbox_message;
            UPDATE audience_runs SET status = 'running', attempts = 1, started_at = now(), heartbeat_at = NULL WHERE id = '{runId}';
            """);

        var messageId = NewId.NextGuid();
        var before = await RabbitMqControl.MessagesAsync(ErrorQueue);
        // The pipeline of a worker whose database cannot be reached (without the scheduler, which refuses to start so).
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TestHostLoggerProvider("broken worker"));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Intent"] = TestSettings.UnreachableDatabase,
            ["RabbitMq:Host"] = TestSettings.RabbitMqHost,
            ["RabbitMq:Port"] = TestSettings.RabbitMqPort,
            ["RabbitMq:VirtualHost"] = TestSettings.RabbitMqVirtualHost,
            ["RabbitMq:Username"] = TestSettings.RabbitMqUsername,
            ["RabbitMq:Password"] = TestSettings.RabbitMqPassword,
            ["Exports:SigningKey"] = TestSettings.ExportsSigningKey,
            ["Exports:Directory"] = TestSettings.ExportsDirectory,
        });
        builder.AddIntentPipeline(scheduling: false);
        // Stopped, not disposed, until the test ends: MassTransit's static log context keeps its logger factory until the next bus starts.
        using var broken = builder.Build();
        await broken.StartAsync();
        await broken.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        await broken.Services.GetRequiredService<IBus>().Publish(new MaterializeAudienceSnapshot { RunId = runId, Attempt = 1 },
            context => context.MessageId = messageId);
        await Eventually.MatchAsync(() => RabbitMqControl.MessagesAsync(ErrorQueue), count => count > before,
            TimeSpan.FromSeconds(30), "the materialization to fault into its error queue");
        await broken.StopAsync();

        var errors = new ErrorQueues(TestSettings.RabbitMq);
        var listed = Assert.Single(await errors.ListAsync(show: 100, CancellationToken.None), q => q.Name == ErrorQueue);
        var fault = Assert.Single(listed.Faults, f => f.MessageId == messageId.ToString());
        Assert.Equal(nameof(MaterializeAudienceSnapshot), fault.MessageType);
        Assert.Equal(typeof(System.Net.Sockets.SocketException).FullName, fault.ExceptionType);
        Assert.Equal("Connection refused", fault.Reason);
        Assert.Equal("running", (await world.RunAsync(audience, runId)).GetProperty("status").GetString());

        await world.StartWorkerAsync();
        using (var output = new StringWriter())
        using (var error = new StringWriter())
        {
            Assert.True(await ErrorsCommand.RunAsync(TestSettings.RabbitMq, ["replay", ErrorQueue], output, error) == 0, error.ToString());
            Assert.Matches($"^replayed [1-9][0-9]* messages? from {ErrorQueue} to materialize-audience-snapshot; 0 messages left", output.ToString());
        }

        var done = await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        Assert.Equal(await world.Database.ScalarAsync<long>(ResultsSql), done.GetProperty("resultCount").GetInt64());
        Assert.Equal(1L, await world.Database.ScalarAsync<long>($"SELECT count(*) FROM inbox_state WHERE message_id = '{messageId}' AND consumed IS NOT NULL"));
        var after = Assert.Single(await errors.ListAsync(show: 1, CancellationToken.None), q => q.Name == ErrorQueue);
        Assert.Equal(0, after.Messages);
        Assert.Empty(after.Faults);
    }
}
