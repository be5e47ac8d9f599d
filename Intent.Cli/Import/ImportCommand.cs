using System.Globalization;
using Intent.Data.Loading;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Cli.Import;

/// <summary>
/// <c>import {topics|people|scores} FILE.csv [--date YYYY-MM-DD]</c>: streams the file into a staging
/// table with binary COPY, checks every row (types in C#, duplicates and references set-based in
/// PostgreSQL), and loads all of it or, if any row is bad, nothing, listing the bad rows by line.
/// </summary>
public static class ImportCommand
{
    public const int MaxReported = 50;

    public static async Task<int> RunAsync(string connectionString, string[] args, TextWriter output, TextWriter errors)
    {
        if (args.Length < 2)
        {
            throw new ArgumentException("usage: import {topics|people|scores} FILE.csv [--date YYYY-MM-DD]");
        }

        var kind = args[0];
        var path = args[1];
        DateOnly? date = null;
        for (var i = 2; i < args.Length; i++)
        {
            date = args[i] == "--date" && i + 1 < args.Length
                ? DateOnly.ParseExact(args[++i], "yyyy-MM-dd", CultureInfo.InvariantCulture)
                : throw new ArgumentException($"unexpected argument '{args[i]}'");
        }

        var columns = kind switch
        {
            "topics" => ImportKinds.Topics,
            "people" => ImportKinds.People,
            "scores" => ImportKinds.Scores,
            _ => throw new ArgumentException($"unknown import kind '{kind}' (topics, people, scores)"),
        };
        if (kind == "scores" && date is null)
        {
            throw new ArgumentException("scores need --date YYYY-MM-DD");
        }

        if (!File.Exists(path))
        {
            throw new ArgumentException($"no such file: {path}");
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Execute(connection, transaction,
            $"CREATE TEMP TABLE staging (line integer NOT NULL, {string.Join(", ", columns.Select(c => $"{c.Column} {SqlType(c.Type)}"))}) ON COMMIT DROP");

        var problems = new List<(int Line, string Message)>();
        var rows = await StageAsync(connection, path, columns, problems);
        if (problems.Count == 0)
        {
            foreach (var check in ImportKinds.Checks(kind))
            {
                problems.AddRange(await QueryProblemsAsync(connection, transaction, check));
            }
        }

        var loader = new IntentDataLoader(connection);
        if (problems.Count == 0 && date is { } day && await loader.HasDayAsync(day, transaction))
        {
            problems.Add((0, $"scores for {day:yyyy-MM-dd} are already loaded"));
        }

        if (problems.Count > 0)
        {
            await transaction.RollbackAsync();
            foreach (var (line, message) in problems.OrderBy(p => p.Line).Take(MaxReported))
            {
                await errors.WriteLineAsync(line > 0 ? $"line {line}: {message}" : message);
            }

            if (problems.Count > MaxReported)
            {
                await errors.WriteLineAsync($"... and {problems.Count - MaxReported} more");
            }

            await errors.WriteLineAsync($"{path}: {problems.Count} problem(s); nothing was imported");
            return 1;
        }

        var names = string.Join(", ", columns.Select(c => c.Column));
        if (date is { } scoresDate)
        {
            var table = await loader.CreateDayTableAsync(scoresDate, transaction);
            await Execute(connection, transaction, $"INSERT INTO {table} (data_date, {names}) SELECT '{scoresDate:yyyy-MM-dd}', {names} FROM staging");
            await loader.AttachDayAsync(scoresDate, rows, transaction);
        }
        else
        {
            await Execute(connection, transaction, $"INSERT INTO {kind} ({names}) SELECT {names} FROM staging");
        }

        await transaction.CommitAsync();
        await output.WriteLineAsync($"imported {rows:N0} {kind} from {path}");
        return 0;
    }

    private static async Task<long> StageAsync(NpgsqlConnection connection, string path, ImportColumn[] columns, List<(int, string)> problems)
    {
        using var reader = new StreamReader(path);
        using var records = CsvReader.Read(reader).GetEnumerator();
        if (!records.MoveNext())
        {
            problems.Add((1, "the file is empty; the first line must name the columns"));
            return 0;
        }

        var header = records.Current.Fields.Select(h => h.Trim()).ToArray();
        var positions = new int[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            positions[c] = Array.IndexOf(header, columns[c].Header);
            if (positions[c] < 0 && columns[c].Required)
            {
                problems.Add((1, $"column {columns[c].Header} is missing"));
            }
        }

        foreach (var unknown in header.Where(h => columns.All(c => c.Header != h)))
        {
            problems.Add((1, $"column {unknown} is not known (expected {string.Join(", ", columns.Select(c => c.Header))})"));
        }

        if (problems.Count > 0)
        {
            return 0;
        }

        long rows = 0;
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY staging (line, {string.Join(", ", columns.Select(c => c.Column))}) FROM STDIN (FORMAT BINARY)");
        var values = new object?[columns.Length];
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Length != header.Length)
            {
                problems.Add((line, $"has {fields.Length} fields where the header has {header.Length}"));
                continue;
            }

            var valid = true;
            for (var c = 0; c < columns.Length; c++)
            {
                var text = positions[c] < 0 ? "" : fields[positions[c]].Trim();
                if (text.Length == 0)
                {
                    values[c] = null;
                    if (columns[c].Required)
                    {
                        problems.Add((line, $"{columns[c].Header} is required"));
                        valid = false;
                    }

                    continue;
                }

                var (value, error) = columns[c].Read(text);
                if (error is not null)
                {
                    problems.Add((line, $"{columns[c].Header} {error}"));
                    valid = false;
                }

                values[c] = value;
            }

            if (!valid || problems.Count > 0)
            {
                continue;
            }

            await copy.StartRowAsync();
            await copy.WriteAsync(line, NpgsqlDbType.Integer);
            for (var c = 0; c < columns.Length; c++)
            {
                await (values[c] is null ? copy.WriteNullAsync() : copy.WriteAsync(values[c], columns[c].Type));
            }

            rows++;
        }

        if (problems.Count == 0)
        {
            await copy.CompleteAsync();
        }

        return rows;
    }

    private static async Task<List<(int, string)>> QueryProblemsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        var found = new List<(int, string)>();
        await using var command = new NpgsqlCommand($"{sql} ORDER BY 1 LIMIT {MaxReported + 1}", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add((reader.GetInt32(0), reader.GetString(1)));
        }

        return found;
    }

    private static string SqlType(NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Integer => "integer",
        NpgsqlDbType.Bigint => "bigint",
        NpgsqlDbType.Smallint => "smallint",
        NpgsqlDbType.Boolean => "boolean",
        _ => "text",
    };

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
