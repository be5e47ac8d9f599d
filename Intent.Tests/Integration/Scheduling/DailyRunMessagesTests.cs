using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Runs;
using Intent.Pipeline.Scheduling;
using Intent.Tests.Integration.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Intent.Tests.Integration.Scheduling;

/// <summary>
/// The daily job writes its runs' messages with SQL; their consumer must not be able to tell them from the
/// messages the bus outbox writes when each run is published through MassTransit.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed partial class DailyRunMessagesTests
{
    private static readonly DateOnly DataDate = DateOnly.Parse(RunsWorld.DataDate, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_daily_runs_consumer_receives_a_set_based_message_exactly_as_one_published_through_the_bus_outbox()
    {
        var deliveries = new Deliveries();
        await using var world = await RunsWorld.CreateAsync(
            // Only the wake-up after each commit can deliver within the test: the fallback poll would take ten minutes.
            workerSettings: new Dictionary<string, string?> { ["Outbox:PollInterval"] = "00:10:00" },
            services: services => services.AddConsumeObserver(_ => deliveries));
        var config = new { topicIds = new[] { 1, 2 }, minScore = 60 };
        var daily = await world.AudienceAsync(config, "queued by the daily job");
        var (_, created) = await Api.Json.SendAsync(world.Client, HttpMethod.Post, "/v1/intent/audiences",
            new { name = "published through the bus outbox", status = "active", dailyRefreshEnabled = false, config });
        var published = Api.Json.Data(created).GetProperty("id").GetGuid();

        var publishedRun = await PublishThroughBusOutboxAsync(world, published);
        var scheduler = await world.Worker!.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(QueueDailyRunsJob.Key);

        var runs = await Eventually.MatchAsync(() => RunsAsync(world), r => r.Count == 2 && r.All(x => x.Status == RunStatus.Completed),
            TimeSpan.FromSeconds(60), "both runs to complete");
        var setBasedRun = Assert.Single(runs, r => r.AudienceId == daily);
        Assert.Equal(RunType.Daily, setBasedRun.RunType);
        var busRun = Assert.Single(runs, r => r.AudienceId == published);
        Assert.Equal(busRun.ResultKey, setBasedRun.ResultKey);
        Assert.Equal(busRun.ResultCount, setBasedRun.ResultCount);

        var fromSql = deliveries.Of(setBasedRun.CorrelationId);
        var fromBus = deliveries.Of(publishedRun.CorrelationId);
        Assert.Equal(new StartDailyRun { RunId = setBasedRun.CorrelationId }, fromSql.Message);
        Assert.Equal(new StartDailyRun { RunId = publishedRun.CorrelationId }, fromBus.Message);

        // Ids: MassTransit's NewId from this process (same process and worker parts), different for each message.
        Assert.Equal(NewIdShape(NewId.NextGuid()), NewIdShape(fromSql.MessageId));
        Assert.Equal(NewIdShape(NewId.NextGuid()), NewIdShape(fromSql.ConversationId));
        Assert.Equal(NewIdShape(fromBus.MessageId), NewIdShape(fromSql.MessageId));
        Assert.NotEqual(fromBus.MessageId, fromSql.MessageId);
        Assert.NotEqual(fromSql.MessageId, fromSql.ConversationId);
        Assert.Equal(fromSql.MessageId.ToString("D"), fromSql.TransportMessageId);

        Assert.Matches(TraceParent(), fromSql.Headers["MT-Activity-Id"]);
        Assert.Matches(TraceParent(), fromBus.Headers["MT-Activity-Id"]);

        // Everything else, body text and headers included, is equal once the values of the run, the ids, the
        // send time and the trace context are named instead of given.
        Assert.Equal(fromBus.Normalized(), fromSql.Normalized());
        Assert.Equal(fromBus.NormalizedBody(), fromSql.NormalizedBody());
    }

    private static async Task<AudienceRun> PublishThroughBusOutboxAsync(RunsWorld world, Guid audienceId)
    {
        await using var scope = world.Worker!.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntentDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var audience = await db.Audiences.AsNoTracking().SingleAsync(a => a.Id == audienceId);
        var run = new AudienceRun
        {
            CorrelationId = Guid.CreateVersion7(), AudienceId = audience.Id, OrganizationId = audience.OrganizationId, Status = RunStatus.Queued,
            RunType = RunType.Daily, Config = audience.Config, ConfigHash = audience.ConfigHash, DataDate = DataDate,
            ResultKey = ResultKeys.For(audience.OrganizationId, audience.ConfigHash, DataDate), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        };

        await using var transaction = await db.Database.BeginTransactionAsync();
        db.AudienceRuns.Add(run);
        await publisher.Publish(new StartDailyRun { RunId = run.CorrelationId });
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return run;
    }

    private static async Task<List<AudienceRun>> RunsAsync(RunsWorld world)
    {
        await using var db = world.Database.CreateDbContext();
        return await db.AudienceRuns.AsNoTracking().ToListAsync();
    }

    /// <summary>A NewId's process and worker parts; its sequence and time parts masked.</summary>
    private static string NewIdShape(Guid id)
    {
        var text = id.ToString("D");
        return $"{text[..4]}????{text[8..19]}????-????????????";
    }

    [GeneratedRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$")]
    private static partial Regex TraceParent();

    [GeneratedRegex("\"sentTime\": \"[^\"]+\"")]
    private static partial Regex SentTimeField();

    /// <summary>A delivery of <see cref="StartDailyRun"/> as its consume context held it.</summary>
    private sealed record Delivery(
        StartDailyRun Message,
        Guid MessageId,
        Guid ConversationId,
        string? TransportMessageId,
        IReadOnlyDictionary<string, string> Headers,
        IReadOnlyDictionary<string, string> TransportHeaders,
        string Body,
        string Context)
    {
        /// <summary>How the broker and the publishing client number deliveries on their channels.</summary>
        private static readonly string[] ChannelNumbers = ["RabbitMQ-DeliveryTag", "x-dotnet-pub-seq-no"];

        /// <summary>Every field of the delivery with the values that belong to one message replaced by their names.</summary>
        public string Normalized() => Name(string.Join("\n",
            Context,
            string.Join("\n", Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"header {h.Key}={h.Value}")),
            string.Join("\n", TransportHeaders.Where(h => !ChannelNumbers.Contains(h.Key)).OrderBy(h => h.Key, StringComparer.Ordinal)
                .Select(h => $"transport {h.Key}={h.Value}"))));

        public string NormalizedBody() => SentTimeField().Replace(Name(Body), "\"sentTime\": \"{sentTime}\"");

        private string Name(string text)
        {
            foreach (var (value, name) in new[]
                     {
                         (Message.RunId.ToString("D"), "{runId}"),
                         (MessageId.ToString("D"), "{messageId}"), (ConversationId.ToString("D"), "{conversationId}"),
                         (Headers["MT-Activity-Id"], "{traceparent}"),
                     })
            {
                text = text.Replace(value, name, StringComparison.Ordinal);
            }

            return text;
        }
    }

    private sealed class Deliveries : IConsumeObserver
    {
        private readonly ConcurrentDictionary<Guid, Delivery> _byRun = new();

        public Delivery Of(Guid runId) =>
            _byRun.TryGetValue(runId, out var delivery) ? delivery : throw new InvalidOperationException($"run {runId} was not delivered to its consumer");

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class
        {
            if (context.Message is StartDailyRun message)
            {
                var receive = context.ReceiveContext;
                _byRun[message.RunId] = new Delivery(
                    message,
                    context.MessageId ?? Guid.Empty,
                    context.ConversationId ?? Guid.Empty,
                    receive.GetMessageId()?.ToString(),
                    context.Headers.GetAll().ToDictionary(h => h.Key, h => Convert.ToString(h.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                    receive.TransportHeaders.GetAll().ToDictionary(h => h.Key, h => Convert.ToString(h.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                    receive.Body.GetString(),
                    string.Join("\n",
                        $"content type {receive.ContentType}",
                        $"message types {string.Join(",", context.SupportedMessageTypes)}",
                        $"source {context.SourceAddress}",
                        $"destination {context.DestinationAddress}",
                        $"response {context.ResponseAddress}",
                        $"fault {context.FaultAddress}",
                        $"correlation {context.CorrelationId}",
                        $"initiator {context.InitiatorId}",
                        $"request {context.RequestId}",
                        $"expiration {context.ExpirationTime}",
                        $"host {context.Host.MachineName} {context.Host.ProcessName} {context.Host.ProcessId} {context.Host.Assembly} {context.Host.MassTransitVersion}"));
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}
