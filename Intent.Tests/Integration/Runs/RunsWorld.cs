using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Intent.Cli;
using Intent.Data.Organizations;
using Intent.Data.Runs;
using Intent.Tests.Integration.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// A scratch database with a small seeded catalog, an in-process API and (optionally) worker on it,
/// and a caller organization: everything a run needs, on the real PostgreSQL and RabbitMQ.
/// </summary>
public sealed class RunsWorld : IAsyncDisposable
{
    public const string DataDate = "2001-01-02";

    private readonly List<IAsyncDisposable> _hosts = [];
    private IntentHostFactory<global::Intent.Api.Program> _api = null!;

    private readonly IReadOnlyDictionary<string, string?> _workerSettings;
    private readonly Action<IServiceCollection>? _services;

    private RunsWorld(ScratchDatabase database, IReadOnlyDictionary<string, string?>? workerSettings, Action<IServiceCollection>? services)
    {
        Database = database;
        _workerSettings = workerSettings ?? new Dictionary<string, string?>();
        _services = services;
    }

    public ScratchDatabase Database { get; }

    public HttpClient Client { get; private set; } = null!;

    public Guid OrganizationId { get; private set; }

    public IntentHostFactory<global::Intent.Worker.Program>? Worker { get; private set; }

    public List<IntentHostFactory<global::Intent.Worker.Program>> Workers { get; } = [];

    /// <summary>
    /// A new world; <c>workerSettings</c> is configuration every worker of it starts with (e.g. <c>Runs:RetryBaseDelay</c>),
    /// <c>apiSettings</c> the same for its API; <c>services</c> adds to the registrations of every host (API and workers).
    /// </summary>
    public static async Task<RunsWorld> CreateAsync(
        bool seeded = true,
        bool worker = true,
        IReadOnlyDictionary<string, string?>? workerSettings = null,
        IReadOnlyDictionary<string, string?>? apiSettings = null,
        Action<IServiceCollection>? services = null)
    {
        var world = new RunsWorld(await ScratchDatabase.CreateAsync(), workerSettings, services);
        if (seeded)
        {
            Assert.Equal(0, await SeedCommand.RunAsync(world.Database.ConnectionString,
                ["--people", "3000", "--topics", "40", "--days", "2", "--seed", "11", "--end-date", DataDate], TextWriter.Null, TextWriter.Null));
        }

        var overrides = new Dictionary<string, string?>(apiSettings ?? new Dictionary<string, string?>())
        {
            ["ConnectionStrings:Intent"] = world.Database.ConnectionString,
        };
        world._api = new IntentHostFactory<global::Intent.Api.Program>(overrides, services);
        world._hosts.Add(world._api);
        if (worker)
        {
            await world.StartWorkerAsync();
        }

        (world.Client, world.OrganizationId) = await world.NewCallerAsync("runs");
        return world;
    }

    /// <summary>A new organization and an API client authenticated as it.</summary>
    public async Task<(HttpClient Client, Guid OrganizationId)> NewCallerAsync(string name)
    {
        await using var db = Database.CreateDbContext();
        var (organizationId, token) = await TestData.OrganizationAsync(db, name);
        var client = _api.CreateClient();
        TestData.Authenticate(client, token, TokenKind.Dashboard);
        return (client, organizationId);
    }

    /// <summary>
    /// Starts the worker as its own process on this world's database and virtual host (the test output's
    /// Intent.Worker.dll), with <paramref name="settings"/> on top; everything it prints goes to <paramref name="output"/>.
    /// </summary>
    public Process StartWorkerProcess(ConcurrentQueue<string> output, IEnumerable<KeyValuePair<string, string>>? settings = null)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Intent.Worker.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in WorkerEnvironment().Concat(settings ?? []))
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The settings a worker process of this world needs, as environment variables.</summary>
    private Dictionary<string, string> WorkerEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Intent"] = Database.ConnectionString,
            ["RabbitMq__Host"] = TestSettings.RabbitMqHost,
            ["RabbitMq__Port"] = TestSettings.RabbitMqPort,
            ["RabbitMq__VirtualHost"] = TestSettings.RabbitMqVirtualHost,
            ["RabbitMq__Username"] = TestSettings.RabbitMqUsername,
            ["RabbitMq__Password"] = TestSettings.RabbitMqPassword,
            ["Urls"] = "http://127.0.0.1:0",
            // The test output holds the API's appsettings.json too, which turns the relay off.
            ["Outbox__Relay"] = "true",
            ["Exports__SigningKey"] = TestSettings.ExportsSigningKey,
            ["Exports__Directory"] = TestSettings.ExportsDirectory,
        };
        foreach (var (key, value) in _workerSettings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";
        }

        return environment;
    }

    /// <summary>An API client without a token (signed download links need none).</summary>
    public HttpClient AnonymousClient() => _api.CreateClient();

    public async Task StartWorkerAsync()
    {
        Worker = new IntentHostFactory<global::Intent.Worker.Program>(
            new Dictionary<string, string?>(_workerSettings) { ["ConnectionStrings:Intent"] = Database.ConnectionString }, _services);
        _hosts.Add(Worker);
        Workers.Add(Worker);
        using var client = Worker.CreateClient();
        await Eventually.MatchAsync(async () => (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode, ok => ok,
            because: "the worker to be ready");
    }

    /// <summary>Stops a worker as a deployment would: it finishes what it is doing and leaves.</summary>
    public async Task StopWorkerAsync(IntentHostFactory<global::Intent.Worker.Program> worker)
    {
        _hosts.Remove(worker);
        Workers.Remove(worker);
        if (Worker == worker)
        {
            Worker = Workers.LastOrDefault();
        }

        await worker.DisposeAsync();
    }

    public async Task<Guid> AudienceAsync(object config, string name = "audience")
    {
        var (response, body) = await Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences", new { name, status = "active", config });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return body.Data().GetProperty("id").GetGuid();
    }

    /// <summary>
    /// A completed run of <paramref name="audienceId"/> whose snapshot holds the first <paramref name="people"/> people,
    /// written directly: a big result without a big materialization.
    /// </summary>
    public async Task<Guid> CompletedRunOfEveryoneAsync(Guid audienceId, int people)
    {
        var runId = Guid.NewGuid();
        var key = Convert.ToHexStringLower(SHA256.HashData(runId.ToByteArray()));
        var members = $"""
            (SELECT (SELECT id FROM audience_snapshots WHERE result_key = '{key}') AS snapshot_id, row_number() OVER (ORDER BY person_id) AS rank, person_id,
                    (1 + person_id % 100)::smallint AS intent_score, 2::smallint AS topic_overlap, ARRAY[1, 2] AS matched_topic_ids
             FROM (SELECT person_id FROM people ORDER BY person_id LIMIT {people}) p)
            """;
        await Database.ExecuteAsync($"""
            INSERT INTO audience_snapshots (result_key, organization_id, config_hash, data_date, candidate_count, result_count, created_at)
            VALUES ('{key}', '{OrganizationId}', '{new string('e', 64)}', '{DataDate}', {people}, {people}, now());
            {SnapshotPages.Insert(members)};
            INSERT INTO audience_runs (id, audience_id, organization_id, status, run_type, config, config_hash, data_date, result_key,
                                       candidate_count, result_count, attempts, created_at, updated_at, completed_at)
            SELECT '{runId}', '{audienceId}', '{OrganizationId}', 'completed', 'manual', '{"{}"}', '{new string('e', 64)}', '{DataDate}',
                    '{key}', count(*), count(*), 1, now(), now(), now()
            FROM {SnapshotPages.Members($"(SELECT id FROM audience_snapshots WHERE result_key = '{key}')")};
            """);
        return runId;
    }

    public async Task<JsonElement> QueueAsync(Guid audienceId, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/intent/audiences/{audienceId}/runs", UriKind.Relative));
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await Client.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.Data();
    }

    /// <summary>Queues a manual run of <paramref name="audienceId"/> as <paramref name="client"/>'s organization.</summary>
    public static async Task<JsonElement> QueueRunWithAsync(HttpClient client, Guid audienceId)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Post, $"/v1/intent/audiences/{audienceId}/runs");
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.Data();
    }

    public async Task<JsonElement> RunAsync(Guid audienceId, Guid runId) =>
        (await Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audienceId}/runs/{runId}")).Body.Data();

    public async Task<JsonElement> WaitForStatusAsync(Guid audienceId, Guid runId, params string[] statuses) =>
        await Eventually.MatchAsync(() => RunAsync(audienceId, runId), run => statuses.Contains(run.GetProperty("status").GetString()),
            TimeSpan.FromSeconds(60), $"run {runId} to become {string.Join(" or ", statuses)}");

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}
