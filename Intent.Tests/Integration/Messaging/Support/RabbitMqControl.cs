using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>Stops and starts the real broker, and removes a test's queues, for the tests that need it.</summary>
public static class RabbitMqControl
{
    public static async Task StopAsync() => await CtlAsync("stop_app");

    public static async Task StartAsync() => await CtlAsync("start_app");

    /// <summary>Deletes every queue in the test virtual host whose name starts with <paramref name="prefix"/>.</summary>
    public static async Task DeleteQueuesAsync(string prefix)
    {
        using var client = ManagementClient();
        var vhost = Uri.EscapeDataString(TestSettings.RabbitMqVirtualHost);
        using var list = await client.GetAsync(new Uri($"api/queues/{vhost}?columns=name", UriKind.Relative));
        if (!list.IsSuccessStatusCode)
        {
            return;
        }

        using var names = System.Text.Json.JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        foreach (var queue in names.RootElement.EnumerateArray())
        {
            var name = queue.GetProperty("name").GetString()!;
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                using var _ = await client.DeleteAsync(new Uri($"api/queues/{vhost}/{Uri.EscapeDataString(name)}", UriKind.Relative));
            }
        }
    }

    /// <summary>How many messages a queue of the test virtual host holds (0 when it does not exist).</summary>
    public static async Task<long> MessagesAsync(string queue)
    {
        using var client = ManagementClient();
        var vhost = Uri.EscapeDataString(TestSettings.RabbitMqVirtualHost);
        using var response = await client.GetAsync(new Uri($"api/queues/{vhost}/{Uri.EscapeDataString(queue)}", UriKind.Relative));
        if (!response.IsSuccessStatusCode)
        {
            return 0;
        }

        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == System.Text.Json.JsonValueKind.Number
            ? messages.GetInt64()
            : 0;
    }

    private static HttpClient ManagementClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(TestSettings.RabbitMqManagementUrl.TrimEnd('/') + "/") };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSettings.RabbitMqUsername}:{TestSettings.RabbitMqPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }

    private static async Task CtlAsync(string command)
    {
        var ctl = TestSettings.RabbitMqCtl
            ?? throw new InvalidOperationException("INTENT_RABBITMQCTL is not set: run the suite with ./intent test, which provides it.");
        using var process = Process.Start(new ProcessStartInfo(ctl, command) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"could not start {ctl}");
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {command} failed ({process.ExitCode}): {await error}");
        }
    }
}
