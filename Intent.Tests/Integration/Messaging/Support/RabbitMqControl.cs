using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>
/// The test virtual host through RabbitMQ's management HTTP API: creates it, takes it down and brings it back
/// for the tests of broker outages, and removes a test's queues. Nothing here touches another virtual host.
/// </summary>
public static class RabbitMqControl
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    // A connection opened just before the permissions went away is tracked a moment after its open.
    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(500);

    private static string VirtualHost => Uri.EscapeDataString(TestSettings.RabbitMqVirtualHost);

    private static string Permissions => $"api/permissions/{VirtualHost}/{Uri.EscapeDataString(TestSettings.RabbitMqUsername)}";

    /// <summary>Creates the test virtual host when it does not exist, and gives the test user every permission on it.</summary>
    public static async Task EnsureVirtualHostAsync()
    {
        using var client = ManagementClient();
        using (var vhost = await client.PutAsJsonAsync(Relative($"api/vhosts/{VirtualHost}"), new { }))
        {
            await EnsureSuccessAsync(vhost, "create the test virtual host");
        }

        await GrantAsync(client);
    }

    /// <summary>
    /// A virtual host of its own (the test virtual host's name + <paramref name="suffix"/>), created with every
    /// permission for the test user, for tests whose hosts must not see what other tests left in the shared one
    /// (e.g. messages faulted on purpose in its error queues). Deleted when the result is disposed.
    /// </summary>
    public static async Task<OwnVirtualHost> VirtualHostOfItsOwnAsync(string suffix)
    {
        var name = $"{TestSettings.RabbitMqVirtualHost}-{suffix}";
        var path = Uri.EscapeDataString(name);
        using var client = ManagementClient();
        using (var vhost = await client.PutAsJsonAsync(Relative($"api/vhosts/{path}"), new { }))
        {
            await EnsureSuccessAsync(vhost, $"create virtual host {name}");
        }

        using (var grant = await client.PutAsJsonAsync(Relative($"api/permissions/{path}/{Uri.EscapeDataString(TestSettings.RabbitMqUsername)}"),
                   new { configure = ".*", write = ".*", read = ".*" }))
        {
            await EnsureSuccessAsync(grant, $"grant permissions on {name}");
        }

        return new OwnVirtualHost(name, async () =>
        {
            using var cleanup = ManagementClient();
            using var _ = await cleanup.DeleteAsync(Relative($"api/vhosts/{path}"));
        });
    }

    /// <summary>
    /// An outage of the test virtual host, as clients see a stopped broker: the broker closes their connections and
    /// refuses new ones until <see cref="StartAsync"/>. The test user loses its permissions on the virtual host (so
    /// reconnecting fails), then its connections to it are closed until none is left. They are found in the broker's
    /// connection tracking (<c>/api/connections/username/...</c>), which knows a connection as soon as it is open;
    /// <c>/api/vhosts/.../connections</c> comes from statistics and misses connections younger than their first
    /// statistics report (5 s).
    /// </summary>
    public static async Task StopAsync()
    {
        using var client = ManagementClient();
        using (var revoke = await client.DeleteAsync(Relative(Permissions)))
        {
            if (revoke.StatusCode != HttpStatusCode.NotFound)
            {
                await EnsureSuccessAsync(revoke, "revoke the test user's permissions");
            }
        }

        using var timeout = new CancellationTokenSource(StopTimeout);
        var revoked = Stopwatch.StartNew();
        while (true)
        {
            var connections = await ConnectionsAsync(client, timeout.Token);
            if (connections.Count == 0 && revoked.Elapsed >= SettleTime)
            {
                return;
            }

            foreach (var name in connections)
            {
                using var close = new HttpRequestMessage(HttpMethod.Delete, Relative($"api/connections/{Uri.EscapeDataString(name)}"));
                close.Headers.Add("X-Reason", "simulated broker outage");
                using var _ = await client.SendAsync(close, timeout.Token);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }

    /// <summary>Ends the outage <see cref="StopAsync"/> began: clients reconnect on their own.</summary>
    public static async Task StartAsync()
    {
        using var client = ManagementClient();
        await GrantAsync(client);
    }

    /// <summary>Deletes every queue in the test virtual host whose name starts with <paramref name="prefix"/>.</summary>
    public static async Task DeleteQueuesAsync(string prefix)
    {
        using var client = ManagementClient();
        using var list = await client.GetAsync(Relative($"api/queues/{VirtualHost}?columns=name"));
        if (!list.IsSuccessStatusCode)
        {
            return;
        }

        using var names = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        foreach (var queue in names.RootElement.EnumerateArray())
        {
            var name = queue.GetProperty("name").GetString()!;
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                using var _ = await client.DeleteAsync(Relative($"api/queues/{VirtualHost}/{Uri.EscapeDataString(name)}"));
            }
        }
    }

    /// <summary>Deletes one queue of the test virtual host.</summary>
    public static async Task DeleteQueueAsync(string queue)
    {
        using var client = ManagementClient();
        using var response = await client.DeleteAsync(Relative($"api/queues/{VirtualHost}/{Uri.EscapeDataString(queue)}"));
        await EnsureSuccessAsync(response, $"delete {queue}");
    }

    /// <summary>How many messages a queue of the test virtual host holds (0 when it does not exist).</summary>
    public static async Task<long> MessagesAsync(string queue)
    {
        using var client = ManagementClient();
        using var response = await client.GetAsync(Relative($"api/queues/{VirtualHost}/{Uri.EscapeDataString(queue)}"));
        if (!response.IsSuccessStatusCode)
        {
            return 0;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number
            ? messages.GetInt64()
            : 0;
    }

    /// <summary>
    /// The properties (<c>message_id</c>, <c>headers</c>, ...) of the first <paramref name="count"/> messages of a queue of the
    /// test virtual host, each put back where it was.
    /// </summary>
    public static async Task<List<JsonElement>> PeekAsync(string queue, int count)
    {
        using var client = ManagementClient();
        using var response = await client.PostAsJsonAsync(Relative($"api/queues/{VirtualHost}/{Uri.EscapeDataString(queue)}/get"),
            new { count, ackmode = "ack_requeue_true", encoding = "auto" });
        await EnsureSuccessAsync(response, $"peek at {queue}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.EnumerateArray().Select(message => message.GetProperty("properties").Clone()).ToList();
    }

    private static async Task GrantAsync(HttpClient client)
    {
        using var grant = await client.PutAsJsonAsync(Relative(Permissions), new { configure = ".*", write = ".*", read = ".*" });
        await EnsureSuccessAsync(grant, "grant the test user its permissions");
    }

    private static async Task<List<string>> ConnectionsAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(Relative($"api/connections/username/{Uri.EscapeDataString(TestSettings.RabbitMqUsername)}"), cancellationToken);
        await EnsureSuccessAsync(response, "list the test user's connections");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.EnumerateArray()
            .Where(c => c.GetProperty("vhost").GetString() == TestSettings.RabbitMqVirtualHost)
            .Select(c => c.GetProperty("name").GetString()!)
            .ToList();
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"RabbitMQ management at {TestSettings.RabbitMqManagementUrl} could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static Uri Relative(string path) => new(path, UriKind.Relative);

    private static HttpClient ManagementClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(TestSettings.RabbitMqManagementUrl.TrimEnd('/') + "/") };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSettings.RabbitMqUsername}:{TestSettings.RabbitMqPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }
}
