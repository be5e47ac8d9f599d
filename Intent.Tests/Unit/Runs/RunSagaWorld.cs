using System.Text.Json;
using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Data.Runs;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Runs;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Intent.Tests.Unit.Runs;

/// <summary>
/// The run saga on MassTransit's in-memory test harness, its repository the harness's in-memory one.
/// The activities get what they resolve in the worker: an <see cref="IntentDbContext"/> (answered by
/// <see cref="ScriptedDatabase"/>) and a Quartz scheduler factory (in-memory store, never started,
/// so its timers can be read but never fire).
/// </summary>
public sealed class RunSagaWorld : IAsyncDisposable
{
    public const int MaxAttempts = 3;
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan RetryBaseDelay = TimeSpan.FromSeconds(30);
    public const double RetryBackoffFactor = 4;

    private static readonly JsonSerializerOptions Json = new() { IncludeFields = true };
    private static readonly DateTime LongAgo = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly ServiceProvider _services;
    private readonly ReceivedMessages _received = new();

    private RunSagaWorld(ServiceProvider services, ScriptedDatabase database)
    {
        _services = services;
        Database = database;
        Harness = services.GetRequiredService<ITestHarness>();
        Harness.Bus.ConnectReceiveObserver(_received);
    }

    public ITestHarness Harness { get; }

    public ScriptedDatabase Database { get; }

    /// <param name="retryJitter">The random share of each retry wait; 0 makes waits exact.</param>
    public static async Task<RunSagaWorld> StartAsync(double retryJitter = 0)
    {
        var database = new ScriptedDatabase();
        var services = new ServiceCollection();
        services.AddLogging();
        // The worker's services take their clock from the container; the run saga still reads DateTime.UtcNow itself.
        services.AddSingleton(TimeProvider.System);
        services.AddPipelineMetrics();
        services.Configure<RunAttemptOptions>(o =>
        {
            o.MaxAttempts = MaxAttempts;
            o.Lease = Lease;
            o.RetryBaseDelay = RetryBaseDelay;
            o.RetryBackoffFactor = RetryBackoffFactor;
            o.RetryJitter = retryJitter;
        });
        services.AddDbContext<IntentDbContext>(o => o.UseIntentPostgres("Host=postgres.invalid;Database=none").AddInterceptors(database));
        services.AddQuartz(new Dictionary<string, string?> { ["quartz.scheduler.instanceName"] = $"run-saga-{Guid.NewGuid():N}" },
            quartz => quartz.UseInMemoryStore());
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddSagaStateMachine<AudienceRunStateMachine, AudienceRun>().InMemoryRepository();

            // Reading what was sent waits until the bus is this long idle; DeliverAsync has already waited for the message itself.
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(10), testInactivityTimeout: TimeSpan.FromMilliseconds(50));
        });

        var provider = services.BuildServiceProvider(validateScopes: true);
        var world = new RunSagaWorld(provider, database);
        await world.Harness.Start();
        return world;
    }

    /// <summary>Puts a run in <paramref name="status"/> straight into the saga repository, as the API or an earlier message left it.</summary>
    public async Task<Guid> SeedAsync(string status, Action<AudienceRun>? configure = null)
    {
        var id = Guid.CreateVersion7();
        await Harness.AddOrUpdateSagaInstance<AudienceRun>(id, run =>
        {
            run.AudienceId = Guid.CreateVersion7();
            run.OrganizationId = Guid.CreateVersion7();
            run.Status = status;
            run.RunType = RunType.Manual;
            run.Config = """{"topicIds":[1]}""";
            run.ConfigHash = new string('c', 64);
            run.DataDate = new DateOnly(2026, 1, 1);
            run.CreatedAt = LongAgo;
            run.UpdatedAt = LongAgo;
            configure?.Invoke(run);
        });
        return id;
    }

    /// <summary>Publishes <paramref name="message"/> and waits until the saga's endpoint is done with it; the saga must not fault on it.</summary>
    public async Task DeliverAsync<T>(T message)
        where T : class
    {
        var messageId = NewId.NextGuid();
        var received = _received.WaitFor(messageId);
        await Harness.Bus.Publish(message, context => context.MessageId = messageId);
        Assert.Null(await received.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>The run as the saga left it.</summary>
    public async Task<AudienceRun> RunAsync(Guid id) =>
        await _services.GetRequiredService<ILoadSagaRepository<AudienceRun>>().Load(id)
        ?? throw new InvalidOperationException($"No run {id} in the saga repository.");

    /// <summary>Every field of the run, to compare before and after a message that must change nothing.</summary>
    public async Task<string> FieldsAsync(Guid id) => JsonSerializer.Serialize(await RunAsync(id));

    public IReadOnlyList<T> Published<T>()
        where T : class => [.. Harness.Published.Select<T>().Select(m => m.Context.Message)];

    public IReadOnlyList<(Uri? Destination, T Message)> Sent<T>()
        where T : class => [.. Harness.Sent.Select<T>().Select(m => (m.Context.DestinationAddress, m.Context.Message))];

    /// <summary>The durable timers written to the scheduler, with when each fires.</summary>
    public async Task<IReadOnlyList<(JobKey Job, DateTimeOffset FiresAt)>> TimersAsync()
    {
        var scheduler = await _services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var timers = new List<(JobKey, DateTimeOffset)>();
        foreach (var key in await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.AnyGroup()))
        {
            var trigger = await scheduler.GetTrigger(key);
            timers.Add((trigger!.JobKey, trigger.StartTimeUtc));
        }

        return timers;
    }

    /// <summary>What the saga wrote to audiences (a completed run's size and last refresh).</summary>
    public IReadOnlyList<ExecutedCommand> AudienceWrites() =>
        [.. Database.Commands.Where(c => c.Sql.StartsWith("UPDATE audiences", StringComparison.Ordinal))];

    /// <summary>
    /// Everything the run and the saga have shown to the outside so far: the run's fields, messages sent and
    /// published, timers set, database commands. Equal before and after a message means the message changed nothing.
    /// </summary>
    public async Task<string> EffectsAsync(Guid id) =>
        $"""
        run: {await FieldsAsync(id)}
        sent: {JsonSerializer.Serialize(Sent<MaterializeAudienceSnapshot>(), Json)}
        completed: {JsonSerializer.Serialize(Published<AudienceRunCompleted>(), Json)}
        failed: {JsonSerializer.Serialize(Published<AudienceRunFailed>(), Json)}
        timers: {JsonSerializer.Serialize(await TimersAsync(), Json)}
        commands: {JsonSerializer.Serialize(Database.Commands, Json)}
        """;

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        foreach (var scheduler in await _services.GetRequiredService<ISchedulerFactory>().GetAllSchedulers())
        {
            await scheduler.Shutdown();
        }

        await _services.DisposeAsync();
    }
}
