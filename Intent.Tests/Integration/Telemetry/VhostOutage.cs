using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Intent.Tests.Integration.Telemetry;

/// <summary>
/// Makes RabbitMQ unreachable for the test virtual host only, through the management API: the vhost's
/// connection limit goes to zero and its open connections are closed, so clients there keep failing to
/// connect while other virtual hosts (other people's tests) are untouched. Disposing lifts the limit.
/// </summary>
public sealed class VhostOutage : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly string _vhost;

    private VhostOutage(HttpClient client, string vhost)
    {
        _client = client;
        _vhost = vhost;
    }

    public static async Task<VhostOutage> BeginAsync()
    {
        var vhost = TestSettings.RabbitMqVirtualHost;
        if (vhost is "/" or "")
        {
            throw new InvalidOperationException("A broker outage is only simulated on a test virtual host, never on the default one.");
        }

        var client = new HttpClient { BaseAddress = new Uri(TestSettings.RabbitMqManagementUrl.TrimEnd('/') + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSettings.RabbitMqUsername}:{TestSettings.RabbitMqPassword}")));
        var outage = new VhostOutage(client, Uri.EscapeDataString(vhost));
        using (var limit = await client.PutAsJsonAsync(new Uri($"api/vhost-limits/{outage._vhost}/max-connections", UriKind.Relative), new { value = 0 }))
        {
            limit.EnsureSuccessStatusCode();
        }

        await Eventually.MatchAsync(outage.CloseConnectionsAsync, open => open == 0, because: $"every connection to {vhost} to be closed");
        return outage;
    }

    public async ValueTask DisposeAsync()
    {
        using (var lift = await _client.DeleteAsync(new Uri($"api/vhost-limits/{_vhost}/max-connections", UriKind.Relative)))
        {
            lift.EnsureSuccessStatusCode();
        }

        _client.Dispose();
    }

    /// <summary>Closes the vhost's open connections; returns how many there were.</summary>
    private async Task<int> CloseConnectionsAsync()
    {
        using var list = await _client.GetAsync(new Uri($"api/vhosts/{_vhost}/connections?columns=name", UriKind.Relative));
        list.EnsureSuccessStatusCode();
        using var names = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        var open = 0;
        foreach (var connection in names.RootElement.EnumerateArray())
        {
            open++;
            using var close = await _client.DeleteAsync(
                new Uri($"api/connections/{Uri.EscapeDataString(connection.GetProperty("name").GetString()!)}", UriKind.Relative));
        }

        return open;
    }
}
