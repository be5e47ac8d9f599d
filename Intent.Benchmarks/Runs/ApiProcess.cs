using System.Diagnostics;
using System.Net.Sockets;

namespace Intent.Benchmarks.Runs;

/// <summary>The real API, as its own process on a free port, pointed at the benchmark's database and virtual host.</summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The process id, to attach diagnostics tools.</summary>
    public int Pid => _process.Id;

    /// <summary>CPU time the process has used so far, user and kernel.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Starts it; <paramref name="environment"/> sets variables of its own (a null value removes one inherited).</summary>
    public static async Task<ApiProcess> StartAsync(BenchSettings settings, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Intent.Api", "bin", "Release", "net10.0", "Intent.Api.dll");
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.GetFullPath(dll));
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__Intent"] = settings.ConnectionString;
        start.Environment["RabbitMq__Host"] = settings.RabbitHost;
        start.Environment["RabbitMq__Port"] = settings.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RabbitMq__VirtualHost"] = settings.VirtualHost;
        start.Environment["RabbitMq__Username"] = settings.Username;
        start.Environment["RabbitMq__Password"] = settings.Password;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // One organization posts all the load: buckets that never run dry in a benchmark (the limiter still runs).
        start.Environment["RateLimits__PerOrganizationPerMinute"] = "100000000";
        start.Environment["RateLimits__ExpensivePerOrganizationPerMinute"] = "100000000";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the API");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();

        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = api.BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return api;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        await api.DisposeAsync();
        throw new InvalidOperationException("the API did not become ready");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
