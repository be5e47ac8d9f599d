using System.Net;
using System.Text.Json;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;

namespace Intent.Tests.Integration.Webhooks;

/// <summary>
/// A <see cref="RunsWorld"/> (scratch database, API, worker) whose webhooks may target loopback, with
/// short retry waits, and a <see cref="WebhookReceiver"/>: shared by a test class, each test on an
/// organization of its own.
/// </summary>
public class WebhooksWorld : IAsyncLifetime
{
    /// <summary>Waits before the 2nd and 3rd attempt: three attempts in all.</summary>
    public static readonly TimeSpan[] Schedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    public const int DisableAfterFailures = 2;

    public static readonly TimeSpan SecretGracePeriod = TimeSpan.FromSeconds(8);

    public const int SweepBatchSize = 2;

    private readonly bool _allowPrivateTargets;

    public WebhooksWorld()
        : this(allowPrivateTargets: true)
    {
    }

    protected WebhooksWorld(bool allowPrivateTargets) => _allowPrivateTargets = allowPrivateTargets;

    public RunsWorld Runs { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:AllowPrivateTargets"] = _allowPrivateTargets ? "true" : "false",
            ["Webhooks:RetrySchedule"] = string.Join(",", Schedule.Select(s => s.ToString("c", System.Globalization.CultureInfo.InvariantCulture))),
            ["Webhooks:DisableAfterFailures"] = DisableAfterFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Webhooks:SecretGracePeriod"] = SecretGracePeriod.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Webhooks:SweepBatchSize"] = SweepBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Runs = await RunsWorld.CreateAsync(workerSettings: settings, apiSettings: settings);
        Receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Runs.DisposeAsync();
    }

    /// <summary>A client of a new organization.</summary>
    public async Task<HttpClient> CallerAsync() => (await OrganizationAsync()).Client;

    public Task<(HttpClient Client, Guid OrganizationId)> OrganizationAsync() => Runs.NewCallerAsync($"webhooks-{Guid.NewGuid():N}");

    /// <summary>A webhook of the caller's organization at <paramref name="url"/>; returns its id and secret (registered with the receiver).</summary>
    public async Task<(Guid Id, string Secret)> WebhookAsync(HttpClient client, string url, params string[] events)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/webhooks", new { url, events, description = "test receiver" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        var secret = body.Data().GetProperty("secret").GetString()!;
        Receiver.Secrets(url, secret);
        return (body.Data().GetProperty("id").GetGuid(), secret);
    }

    public static async Task<JsonElement> WebhookOfAsync(HttpClient client, Guid webhookId) =>
        (await client.SendAsync(HttpMethod.Get, $"/v1/intent/webhooks/{webhookId}")).Body.Data();

    public static async Task<JsonElement[]> DeliveriesAsync(HttpClient client, Guid webhookId, string query = "")
    {
        var (response, body) = await client.SendAsync(HttpMethod.Get, $"/v1/intent/webhooks/{webhookId}/deliveries{query}");
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return [.. body.Data().EnumerateArray()];
    }

    /// <summary>Waits until every delivery of the webhook is over (delivered or failed) and there are <paramref name="count"/> of them.</summary>
    public static async Task<JsonElement[]> SettledDeliveriesAsync(HttpClient client, Guid webhookId, int count, TimeSpan? timeout = null) =>
        await Eventually.MatchAsync(() => DeliveriesAsync(client, webhookId),
            d => d.Length == count && d.All(x => x.GetProperty("status").GetString() != "pending"), timeout ?? TimeSpan.FromSeconds(60),
            $"{count} settled deliveries of webhook {webhookId}");

    public static async Task<JsonElement> SendTestAsync(HttpClient client, Guid webhookId)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Post, $"/v1/intent/webhooks/{webhookId}/test");
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body.ToString());
        return body.Data();
    }

    /// <summary>An audience of the caller's organization (API), active, on the seeded catalog.</summary>
    public static async Task<Guid> AudienceAsync(HttpClient client)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Post, "/v1/intent/audiences",
            new { name = $"a-{Guid.NewGuid():N}", status = "active", config = new { topicIds = new[] { 1, 2, 3 }, minScore = 30 } });
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body.Data().GetProperty("id").GetGuid();
    }
}

/// <summary>A <see cref="WebhooksWorld"/> whose API and worker keep webhooks off non-public addresses, as deployed.</summary>
public sealed class PublicTargetsWebhooksWorld() : WebhooksWorld(allowPrivateTargets: false);
