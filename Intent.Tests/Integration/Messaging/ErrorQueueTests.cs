using Intent.Cli.Errors;
using Intent.Messaging.Inbox;
using Intent.Tests.Integration.Messaging.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Messaging;

/// <summary>
/// <c>intent errors</c> and <c>intent errors replay</c> on the real RabbitMQ: messages fault for real (their consumer's
/// database cannot be reached) into MassTransit's error queue, and go back through the command's code.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class ErrorQueueTests : MessagingTest
{
    private const string HeaderValue = "kept through the error queue";

    [Fact]
    public async Task Errors_lists_each_error_queue_with_its_messages_and_why_the_first_failed()
    {
        var (queue, messageIds) = await FaultAsync(TestNames.Group(), copies: 3);

        var listed = Assert.Single(await new ErrorQueues(TestSettings.RabbitMq).ListAsync(show: 2, CancellationToken.None), q => q.Name == queue + ErrorQueues.Suffix);
        Assert.Equal(queue, listed.SourceQueue);
        Assert.Equal(3, listed.Messages);
        Assert.Equal(2, listed.Faults.Count);
        Assert.Equal(messageIds.Take(2).Select(id => id.ToString()), listed.Faults.Select(f => f.MessageId));
        foreach (var fault in listed.Faults)
        {
            Assert.Equal(nameof(TestCommand), fault.MessageType);
            // MassTransit names the innermost exception: the refused connection under Npgsql's.
            Assert.Equal(typeof(System.Net.Sockets.SocketException).FullName, fault.ExceptionType);
            Assert.Equal("Connection refused", fault.Reason);
            Assert.InRange(fault.FaultedAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddSeconds(5));
        }

        // Peeking took nothing.
        Assert.Equal(3, await RabbitMqControl.MessagesAsync(queue + ErrorQueues.Suffix));
        var (code, output, error) = await ErrorsAsync("--show", "1");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith(queue + ErrorQueues.Suffix + " ", StringComparison.Ordinal));
        Assert.Matches($@"^{queue}_error +3 +\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ +{messageIds[0]} +TestCommand +System\.Net\.Sockets\.SocketException +Connection refused$", line);
    }

    [Fact]
    public async Task A_message_in_the_error_queue_twice_is_replayed_twice_and_takes_effect_once()
    {
        var group = TestNames.Group();
        var messageId = NewId.NextGuid();
        var (queue, _) = await FaultAsync(group, copies: 2, sameId: messageId);

        await using var healthy = await MessagingTestHost.StartAsync(Queues);
        var (code, output, error) = await ErrorsAsync("replay", queue + ErrorQueues.Suffix);

        Assert.True(code == 0, error);
        Assert.Equal($"replayed 2 messages from {queue}_error to {queue}; 0 messages left in {queue}_error", output.Trim());
        await Eventually.MatchAsync(() => ReceiveCountAsync(messageId), count => count == 2, because: "both replayed copies to reach the inbox");
        var effect = Assert.Single(await MessagingDatabase.EffectsAsync(group));
        Assert.Equal(messageId, effect.MessageId);
        Assert.Equal(HeaderValue, effect.Header);

        // Nothing is left to replay a second time.
        (code, output, _) = await ErrorsAsync("replay", queue + ErrorQueues.Suffix);
        Assert.Equal(0, code);
        Assert.StartsWith("replayed 0 messages", output, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(await MessagingDatabase.EffectsAsync(group));
    }

    [Fact]
    public async Task A_replayed_message_keeps_its_id_and_headers_without_the_faults_and_the_limit_holds()
    {
        var (queue, messageIds) = await FaultAsync(TestNames.Group(), copies: 3);
        var faulted = (await RabbitMqControl.PeekAsync(queue + ErrorQueues.Suffix, 1))[0].GetProperty("headers");
        Assert.True(faulted.TryGetProperty("MT-Fault-Message", out _), faulted.ToString());
        Assert.True(faulted.TryGetProperty("MT-Host-MachineName", out _), faulted.ToString());

        // No consumer runs: the replayed copies wait in the source queue to be looked at.
        var (code, output, error) = await ErrorsAsync("replay", queue + ErrorQueues.Suffix, "--limit", "2");

        Assert.True(code == 0, error);
        Assert.Equal($"replayed 2 messages from {queue}_error to {queue}; 1 message left in {queue}_error", output.Trim());
        var replayed = await RabbitMqControl.PeekAsync(queue, 10);
        Assert.Equal(messageIds.Take(2).Select(id => id.ToString()), replayed.Select(p => p.GetProperty("message_id").GetString()));
        foreach (var properties in replayed)
        {
            var headers = properties.GetProperty("headers");
            var names = headers.EnumerateObject().Select(h => h.Name).ToList();
            Assert.Equal(HeaderValue, headers.GetProperty("X-Test-Header").GetString());
            Assert.DoesNotContain(names, n => n == "MT-Reason" || n.StartsWith("MT-Fault-", StringComparison.Ordinal) || n.StartsWith("MT-Host-", StringComparison.Ordinal));
            Assert.Equal("application/vnd.masstransit+json", properties.GetProperty("content_type").GetString());
            Assert.Equal(2, properties.GetProperty("delivery_mode").GetInt32());
        }

        Assert.Equal(messageIds[2].ToString(), (await RabbitMqControl.PeekAsync(queue + ErrorQueues.Suffix, 1))[0].GetProperty("message_id").GetString());
    }

    [Fact]
    public async Task Replaying_into_a_queue_that_does_not_exist_moves_nothing()
    {
        var (queue, _) = await FaultAsync(TestNames.Group(), copies: 1);
        await RabbitMqControl.DeleteQueueAsync(queue);

        var (code, output, error) = await ErrorsAsync("replay", queue + ErrorQueues.Suffix);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains($"no queue {queue} in virtual host", error, StringComparison.Ordinal);
        Assert.Equal(1, await RabbitMqControl.MessagesAsync(queue + ErrorQueues.Suffix));
    }

    /// <summary>
    /// Sends <paramref name="copies"/> commands to a consumer whose database cannot be reached, so they land in its error queue.
    /// The consumer's host is gone afterwards: nothing consumes its queue until a test starts a healthy one.
    /// </summary>
    private async Task<(string Queue, Guid[] MessageIds)> FaultAsync(string group, int copies, Guid? sameId = null)
    {
        await using var broken = await MessagingTestHost.StartAsync(Queues, options =>
        {
            options.ConnectionString = TestSettings.UnreachableDatabase;
            options.Relay = false;
            // One at a time: the copies reach the error queue in the order they were sent.
            options.ConcurrentMessageLimit = 1;
        });
        var queue = broken.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<TestCommandConsumer>();
        var endpoint = await broken.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{queue}"));
        var ids = Enumerable.Range(0, copies).Select(_ => sameId ?? NewId.NextGuid()).ToArray();
        foreach (var id in ids)
        {
            await endpoint.Send(new TestCommand(group, 1), context =>
            {
                context.MessageId = id;
                context.Headers.Set(Effect.HeaderName, HeaderValue);
            });
        }

        await Eventually.MatchAsync(() => RabbitMqControl.MessagesAsync(queue + ErrorQueues.Suffix), count => count == copies,
            TimeSpan.FromSeconds(30), "every copy to fault into the error queue");
        return (queue, ids);
    }

    private static async Task<(int Code, string Output, string Error)> ErrorsAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ErrorsCommand.RunAsync(TestSettings.RabbitMq, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<int> ReceiveCountAsync(Guid messageId)
    {
        await using var db = MessagingDatabase.Open();
        return await db.Set<InboxState>().Where(i => i.MessageId == messageId).SumAsync(i => i.ReceiveCount);
    }
}
