using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Intent.Benchmarks.Runs;

/// <summary>Runs a custom pgbench script against the benchmark database and reads its transactions per second.</summary>
public static class Pgbench
{
    /// <summary>
    /// <paramref name="arguments"/> are pgbench's own (clients, duration or transactions, protocol, variables); the
    /// script, host, port, user and database are added. Returns tps without the initial connection time.
    /// </summary>
    public static async Task<double> RunAsync(string connectionString, string script, params string[] arguments)
    {
        var file = Path.Combine(Path.GetTempPath(), $"intent-bench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(file, script);
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            var start = new ProcessStartInfo(Psql.Tool("pgbench"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in arguments.Concat(["-n", "-f", file, "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, builder.Database!]))
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["PGPASSWORD"] = builder.Password;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var tps = (await output).Split('\n').FirstOrDefault(l => l.StartsWith("tps = ", StringComparison.Ordinal));
            if (process.ExitCode != 0 || tps is null)
            {
                throw new InvalidOperationException($"pgbench failed: {errors}{await output}");
            }

            return double.Parse(tps["tps = ".Length..].Split(' ')[0], CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
