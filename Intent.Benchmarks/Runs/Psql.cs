using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Benchmarks.Runs;

/// <summary>Runs SQL through the psql client, timed as a whole process, as an operator would.</summary>
public static class Psql
{
    public static async Task<TimeSpan> RunAsync(string connectionString, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(Tool("psql"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database! })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PGPASSWORD"] = builder.Password;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start psql");
        await process.StandardInput.WriteAsync(sql);
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        watch.Stop();
        return process.ExitCode == 0 ? watch.Elapsed : throw new InvalidOperationException($"psql failed: {await errors}");
    }

    /// <summary>The statement with its parameters written as SQL literals.</summary>
    public static string Inline(string sql, IEnumerable<NpgsqlParameter> parameters)
    {
        foreach (var parameter in parameters.OrderByDescending(p => p.ParameterName.Length))
        {
            sql = sql.Replace("@" + parameter.ParameterName, Literal(parameter), StringComparison.Ordinal);
        }

        return sql;
    }

    private static string Literal(NpgsqlParameter parameter) => parameter.Value switch
    {
        DateOnly date => $"'{date:yyyy-MM-dd}'::date",
        int[] ints => $"ARRAY[{string.Join(",", ints)}]::integer[]",
        string[] texts => $"ARRAY[{string.Join(",", texts.Select(Quote))}]::text[]",
        string text => Quote(text),
        bool flag => flag ? "true" : "false",
        short number => $"{number}::smallint",
        long number => $"{number}::bigint",
        int number => number.ToString(CultureInfo.InvariantCulture),
        _ when parameter.NpgsqlDbType == NpgsqlDbType.Unknown => throw new InvalidOperationException($"no literal for {parameter.ParameterName}"),
        var other => throw new InvalidOperationException($"no literal for {parameter.ParameterName}: {other?.GetType().Name}"),
    };

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A PostgreSQL client program (psql, pgbench): the newest installed version's, else the one on PATH.</summary>
    public static string Tool(string name)
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Order().Select(d => Path.Combine(d, "bin", name)).LastOrDefault(File.Exists)
            : null;
        return installed
            ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} is not installed");
    }
}
