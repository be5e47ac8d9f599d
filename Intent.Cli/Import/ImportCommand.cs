using System.CommandLine;
using CsvHelper;
using Intent.Data.Loading;
using Intent.Pipeline.Audiences;
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

    /// <summary>The longest record read; a longer one (say, a quote that is never closed) is a bad row, not a memory hog.</summary>
    public const int MaxRecordBytes = 1 << 20;

    private static readonly Dictionary<string, ImportColumn[]> Kinds = new(StringComparer.Ordinal)
    {
        ["topics"] = ImportKinds.Topics,
        ["people"] = ImportKinds.People,
        ["scores"] = ImportKinds.Scores,
    };

    public static Task<int> RunAsync(string connectionString, string[] args, TextWriter output, TextWriter errors) =>
        CliApp.InvokeAsync(Create(connectionString), args, output, errors);

    public static Command Create(string? connectionString)
    {
        var kind = new Argument<string>("KIND") { Description = "What the file holds: topics, people or scores." }.AcceptOnlyFromAmong([.. Kinds.Keys]);
        var file = new Argument<string>("FILE") { Description = "The CSV file: a header row of the API's field names (camelCase), then one row per record." };
        file.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } path && !File.Exists(path))
            {
                result.AddError($"no such file: {path}");
            }
        });
        var date = CliOptions.Date("--date", "The data date of a scores file (required for scores, and only for them).");
        var command = new Command("import", "Load a CSV file of topics, people or a day of scores. Bad rows are listed by line and nothing of such a file is loaded.")
        {
            kind, file, date,
        };
        command.Validators.Add(result =>
        {
            // Tokens, not values: a value that failed to parse has its own error already.
            var isScores = result.GetResult(kind)?.Tokens is [{ Value: "scores" }];
            var hasDate = result.GetResult(date) is not null;
            if (isScores != hasDate)
            {
                result.AddError(isScores ? "scores need --date YYYY-MM-DD" : "--date is only for scores");
            }
        });
        command.SetDatabaseAction(connectionString, (result, database, cancellationToken) => ImportAsync(
            database, result.GetRequiredValue(kind), result.GetRequiredValue(file), result.GetValue(date), result.InvocationConfiguration, cancellationToken));
        return command;
    }

    private static async Task<int> ImportAsync(
        string connectionString, string kind, string path, DateOnly? date, InvocationConfiguration streams, CancellationToken cancellationToken)
    {
        var columns = Kinds[kind];
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, transaction,
            $"CREATE TEMP TABLE staging (line integer NOT NULL, {string.Join(", ", columns.Select(c => $"{c.Column} {SqlType(c.Type)}"))}) ON COMMIT DROP", cancellationToken);

        var problems = new List<(int Line, string Message)>();
        var rows = await StageAsync(connection, path, columns, problems, cancellationToken);
        if (problems.Count == 0)
        {
            foreach (var check in ImportKinds.Checks(kind))
            {
                problems.AddRange(await QueryProblemsAsync(connection, transaction, check, cancellationToken));
            }
        }

        var loader = new IntentDataLoader(connection);
        if (problems.Count == 0 && date is { } day && await loader.HasDayAsync(day, transaction, cancellationToken))
        {
            problems.Add((0, $"scores for {day:yyyy-MM-dd} are already loaded"));
        }

        if (problems.Count > 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            foreach (var (line, message) in problems.OrderBy(p => p.Line).Take(MaxReported))
            {
                await streams.Error.WriteLineAsync(line > 0 ? $"line {line}: {message}" : message);
            }

            if (problems.Count > MaxReported)
            {
                await streams.Error.WriteLineAsync($"... and {problems.Count - MaxReported} more");
            }

            await streams.Error.WriteLineAsync($"{path}: {problems.Count} problem(s); nothing was imported");
            return 1;
        }

        var names = string.Join(", ", columns.Select(c => c.Column));
        if (date is { } scoresDate)
        {
            var table = await loader.CreateDayTableAsync(scoresDate, transaction, cancellationToken);
            await Execute(connection, transaction, $"INSERT INTO {table} (data_date, {names}) SELECT '{scoresDate:yyyy-MM-dd}', {names} FROM staging", cancellationToken);
            await loader.AttachDayAsync(scoresDate, rows, transaction, cancellationToken);
        }
        else
        {
            await Execute(connection, transaction, $"INSERT INTO {kind} ({names}) SELECT {names} FROM staging", cancellationToken);
        }

        await FilterCatalogRefresh.RefreshAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (date is { } vacuumDate)
        {
            await loader.VacuumDayAsync(vacuumDate, cancellationToken);
        }

        await streams.Output.WriteLineAsync($"imported {rows:N0} {kind} from {path}");
        return 0;
    }

    private static async Task<long> StageAsync(
        NpgsqlConnection connection, string path, ImportColumn[] columns, List<(int Line, string Message)> problems, CancellationToken cancellationToken)
    {
        using var records = CsvReader.FromFile(path, new CsvReaderOptions
        {
            HasHeader = false,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MaxRecordSize = MaxRecordBytes,
            // Stray quotes are kept as text, as most spreadsheets write them; an unclosed quote would swallow the rest of the file.
            OnMalformedRecord = record =>
            {
                if (record.Reason == CsvMalformedReason.UnterminatedQuote)
                {
                    problems.Add(((int)record.LineNumber, "a quoted field is not closed"));
                }
            },
        });
        try
        {
            return await StageAsync(connection, records, columns, problems, cancellationToken);
        }
        catch (CsvFormatException exception)
        {
            problems.Add(((int)exception.LineNumber, $"a record longer than {MaxRecordBytes >> 20} MiB starts here (is a quote never closed?)"));
            return 0;
        }
    }

    private static async Task<long> StageAsync(
        NpgsqlConnection connection, CsvReader records, ImportColumn[] columns, List<(int Line, string Message)> problems, CancellationToken cancellationToken)
    {
        if (!records.Read())
        {
            problems.Add((1, "the file is empty; the first line must name the columns"));
            return 0;
        }

        var headerLine = (int)records.LineNumber;
        var header = Enumerable.Range(0, records.FieldCount).Select(i => records.GetString(i).Trim()).ToArray();
        var positions = new int[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            positions[c] = Array.IndexOf(header, columns[c].Header);
            if (positions[c] < 0 && columns[c].Required)
            {
                problems.Add((headerLine, $"column {columns[c].Header} is missing"));
            }
        }

        foreach (var unknown in header.Where(h => columns.All(c => c.Header != h)))
        {
            problems.Add((headerLine, $"column {unknown} is not known (expected {string.Join(", ", columns.Select(c => c.Header))})"));
        }

        if (problems.Count > 0)
        {
            return 0;
        }

        long rows = 0;
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY staging (line, {string.Join(", ", columns.Select(c => c.Column))}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        var values = new object?[columns.Length];
        while (records.Read())
        {
            var line = (int)records.LineNumber;
            if (records.FieldCount != header.Length)
            {
                problems.Add((line, $"has {records.FieldCount} fields where the header has {header.Length}"));
                continue;
            }

            var valid = true;
            for (var c = 0; c < columns.Length; c++)
            {
                var text = positions[c] < 0 ? "" : records.GetString(positions[c]).Trim();
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

            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(line, NpgsqlDbType.Integer, cancellationToken);
            for (var c = 0; c < columns.Length; c++)
            {
                await (values[c] is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(values[c], columns[c].Type, cancellationToken));
            }

            rows++;
        }

        if (problems.Count == 0)
        {
            await copy.CompleteAsync(cancellationToken);
        }

        return rows;
    }

    private static async Task<List<(int, string)>> QueryProblemsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var found = new List<(int, string)>();
        await using var command = new NpgsqlCommand($"{sql} ORDER BY 1 LIMIT {MaxReported + 1}", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
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

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
