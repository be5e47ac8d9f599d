using System.Diagnostics;
using System.Globalization;

namespace Intent.Benchmarks;

/// <summary>
/// CPU time used so far by every process of a name (PostgreSQL's backends, RabbitMQ's Erlang VM), read from
/// <c>/proc</c>, so a benchmark can say where its CPU went between two readings.
/// </summary>
public static class ServiceCpu
{
    private static readonly Lazy<double> TicksPerSecond = new(ReadTicksPerSecond);

    /// <summary>User and kernel CPU of the live processes whose command name is <paramref name="command"/>; zero off Linux.</summary>
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

            var fields = stat[(close + 2)..].Split(' ');
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
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
