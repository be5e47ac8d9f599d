using System.Diagnostics;
using System.Globalization;

namespace Intent.Benchmarks;

/// <summary>
/// CPU time used so far by every process of a name (PostgreSQL's backends, RabbitMQ's Erlang VM), read from
/// <c>/proc</c>, so a benchmark can say where its CPU went between two readings. Each process counts its own CPU and
/// that of its children it has reaped, so a backend that exits between two readings still counts: its CPU moves to
/// the postmaster's and the sum never shrinks.
/// </summary>
public static class ServiceCpu
{
    private static readonly Lazy<double> TicksPerSecond = new(ReadTicksPerSecond);

    /// <summary>User and kernel CPU of the processes whose command name is <paramref name="command"/> and of their reaped children; zero off Linux.</summary>
    public static TimeSpan Of(string command)
    {
        if (!Directory.Exists("/proc"))
        {
            return TimeSpan.Zero;
        }

        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out _))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // pid (comm) state ...: comm may hold spaces and parentheses, so fields are counted from the last ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || stat[(open + 1)..close] != command)
            {
                continue;
            }

            // utime, stime, cutime, cstime (fields 14 to 17 of proc(5); the first here is field 3).
            var fields = stat[(close + 2)..].Split(' ');
            for (var field = 11; field <= 14; field++)
            {
                ticks += long.Parse(fields[field], CultureInfo.InvariantCulture);
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond.Value);
    }

    private static double ReadTicksPerSecond()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            var text = getconf?.StandardOutput.ReadToEnd().Trim();
            getconf?.WaitForExit();
            return double.TryParse(text, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }
}
