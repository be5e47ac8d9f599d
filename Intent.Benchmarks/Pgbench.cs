using System.Diagnostics;
using System.Globalization;
using Intent.Benchmarks.Runs;
using Npgsql;

namespace Intent.Benchmarks;

/// <summary>
/// pgbench against the benchmark's database: a script for a while with some clients, optionally at a
/// fixed rate (<c>-R</c>) with every transaction's latency logged, as the floor our figures are ratios of.
/// </summary>
public static class Pgbench
{
    /// <summary>What one pgbench run did: transactions per second and, when logged, each transaction's latency (ms, sorted).</summary>
    public sealed record Result(double Tps, double[] Latencies)
    {
        public double P50 => At(0.50);

        public double P95 => At(0.95);

        public double P99 => At(0.99);

        private double At(double q) => Latencies.Length == 0 ? 0 : Latencies[Math.Min(Latencies.Length - 1, (int)Math.Ceiling(q * Latencies.Length) - 1)];
    }

    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="clients"/> clients for <paramref name="duration"/>;
    /// at <paramref name="rate"/> transactions/s (Poisson arrivals, latency counted from the scheduled start)
    /// when given, as fast as it goes otherwise. <paramref name="logLatencies"/> keeps every transaction's latency.
    /// <paramref name="sessionOptions"/> are the sessions' settings (<c>PGOPTIONS</c>, e.g. <c>-c synchronous_commit=off</c>).
    /// </summary>
    public static Task<Result> RunAsync(
        string connectionString, string script, int clients, TimeSpan duration, double? rate = null, bool logLatencies = false,
        string protocol = "prepared", string? sessionOptions = null, CancellationToken cancellationToken = default)
    {
        var arguments = new List<string>
        {
            "-M", protocol, "-c", Invariant(clients), "-j", Invariant(Math.Min(clients, Environment.ProcessorCount)),
            "-T", Invariant((int)Math.Ceiling(duration.TotalSeconds)),
        };
        if (rate is { } r)
        {
            arguments.AddRange(["-R", r.ToString("0.###", CultureInfo.InvariantCulture)]);
        }

        return ExecuteAsync(connectionString, script, arguments, logLatencies, sessionOptions, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="script"/> with pgbench's own <paramref name="arguments"/> (clients, <c>-t</c> or <c>-T</c>,
    /// protocol, variables); the script, host, port, user and database are added. Returns the transactions per second.
    /// </summary>
    public static async Task<double> RunTpsAsync(string connectionString, string script, params string[] arguments) =>
        (await ExecuteAsync(connectionString, script, [.. arguments], logLatencies: false, sessionOptions: null, CancellationToken.None)).Tps;

    private static async Task<Result> ExecuteAsync(
        string connectionString, string script, List<string> arguments, bool logLatencies, string? sessionOptions, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("intent-pgbench-");
        var scriptPath = Path.Combine(directory.FullName, "script.sql");
        await File.WriteAllTextAsync(scriptPath, script, cancellationToken);
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            arguments.AddRange(["-n", "-f", scriptPath, "-h", builder.Host!, "-p", Invariant(builder.Port), "-U", builder.Username!]);
            if (logLatencies)
            {
                arguments.AddRange(["-l", "--log-prefix", Path.Combine(directory.FullName, "tx")]);
            }

            arguments.Add(builder.Database!);
            var start = new ProcessStartInfo(Psql.Tool("pgbench"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory.FullName,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["PGPASSWORD"] = builder.Password;
            if (sessionOptions is not null)
            {
                start.Environment["PGOPTIONS"] = sessionOptions;
            }
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start pgbench");
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw;
            }

            var tps = (await output).Split('\n').FirstOrDefault(l => l.StartsWith("tps = ", StringComparison.Ordinal));
            if (process.ExitCode != 0 || tps is null)
            {
                throw new InvalidOperationException($"pgbench failed: {await errors}{await output}");
            }

            var latencies = logLatencies ? ReadLatencies(directory.FullName) : [];
            return new Result(double.Parse(tps["tps = ".Length..].Split(' ')[0], CultureInfo.InvariantCulture), latencies);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // A log line: client, transaction, latency (µs, from the scheduled start under -R), script, epoch s, µs[, lag].
    private static double[] ReadLatencies(string directory) =>
        [.. Directory.GetFiles(directory, "tx.*")
            .SelectMany(File.ReadLines)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length >= 6)
            .Select(fields => double.Parse(fields[2], CultureInfo.InvariantCulture) / 1000)
            .Order()];

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
