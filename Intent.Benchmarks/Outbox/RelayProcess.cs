using System.Diagnostics;
using System.Globalization;

namespace Intent.Benchmarks.Outbox;

/// <summary>A relay in its own process, as in production where API and worker processes relay side by side.</summary>
public sealed class RelayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RelayProcess(Process process) => _process = process;

    /// <summary>CPU time the process has used so far, user and kernel.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The child's side, once it runs: says it is ready, answers <c>jit</c> with its JIT time so far (ms), until its input closes.</summary>
    public static async Task ServeParentAsync()
    {
        await Console.Out.WriteLineAsync("ready");
        await Console.Out.FlushAsync();
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "jit")
            {
                await Console.Out.WriteLineAsync(System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds.ToString(CultureInfo.InvariantCulture));
                await Console.Out.FlushAsync();
            }
        }
    }

    /// <summary>The time the process's JIT has taken so far, tiered recompilation included.</summary>
    public async Task<TimeSpan> JitTimeAsync()
    {
        await _process.StandardInput.WriteLineAsync("jit");
        await _process.StandardInput.FlushAsync();
        // Lines that are not a number are the process's own warnings.
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the relay process ended");
            if (double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds))
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }
    }

    /// <summary>Starts <c>intent-bench <paramref name="mode"/></c>: our relay (<c>relay</c>) or the raw one (<c>raw-relay</c>).</summary>
    public static async Task<RelayProcess> StartAsync(string mode = "relay")
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(RelayProcess).Assembly.Location);
        start.ArgumentList.Add(mode);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the relay process");
        var line = await process.StandardOutput.ReadLineAsync();
        if (line != "ready")
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the relay process did not start: {line}");
        }

        return new RelayProcess(process);
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
