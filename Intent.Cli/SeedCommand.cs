using System.CommandLine;
using Intent.Data.Loading;
using Intent.Data.Seeding;
using Intent.Pipeline.Audiences;
using Npgsql;
using Spectre.Console;

namespace Intent.Cli;

/// <summary>
/// <c>seed [--people N] [--topics N] [--days N] [--seed S] [--end-date YYYY-MM-DD] [--replace | --if-empty]</c>:
/// generates deterministic synthetic intent data and loads it with binary COPY in one transaction.
/// </summary>
public static class SeedCommand
{
    // Progress is updated once per this many rows, not per row.
    private const int ProgressStep = 4096;

    public static Task<int> RunAsync(string connectionString, string[] args) => RunAsync(connectionString, args, Console.Out, Console.Error);

    /// <summary>Seeds, writing the summary to <paramref name="output"/> and progress and errors to <paramref name="error"/>.</summary>
    public static Task<int> RunAsync(string connectionString, string[] args, TextWriter output, TextWriter error) =>
        CliApp.InvokeAsync(Create(connectionString), args, output, error);

    public static Command Create(string? connectionString)
    {
        var defaults = new SeedOptions();
        var people = CliOptions.PositiveNumber("--people", defaults.People, "How many people to generate.");
        var topics = CliOptions.PositiveNumber("--topics", defaults.Topics, "How many topics to generate.");
        var days = CliOptions.PositiveNumber("--days", defaults.Days, "How many days of scores to generate, ending on --end-date.");
        var seed = new Option<int>("--seed")
        {
            Description = "The random seed: the same options and seed give the same rows.",
            HelpName = "S",
            DefaultValueFactory = _ => defaults.Seed,
        };
        var endDate = CliOptions.Date("--end-date", "The last data date [default: yesterday, UTC].");
        var replace = new Option<bool>("--replace") { Description = "Replace intent data that is already loaded." };
        var ifEmpty = new Option<bool>("--if-empty") { Description = "Do nothing when intent data is already loaded (./intent up seeds so)." };
        var command = new Command("seed", "Generate deterministic synthetic intent data (topics, people, daily scores) and load it with binary COPY in one transaction.")
        {
            people, topics, days, seed, endDate, replace, ifEmpty,
        };
        command.SetDatabaseAction(connectionString, (result, database, cancellationToken) => SeedAsync(
            database,
            new SeedOptions(result.GetValue(people), result.GetValue(topics), result.GetValue(days), result.GetValue(seed), result.GetValue(endDate)),
            result.GetValue(replace),
            result.GetValue(ifEmpty),
            result.InvocationConfiguration,
            cancellationToken));
        return command;
    }

    private static async Task<int> SeedAsync(
        string connectionString, SeedOptions options, bool replace, bool ifEmpty, InvocationConfiguration streams, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One seeder at a time; a second waits here and then sees the first one's data.
        await Execute(connection, transaction, "LOCK TABLE topics IN EXCLUSIVE MODE");

        var hasData = await Scalar<bool>(connection, transaction, "SELECT EXISTS (SELECT 1 FROM topics) OR EXISTS (SELECT 1 FROM data_dates)");
        if (hasData && ifEmpty)
        {
            // A database loaded before the filter catalog existed gets its value counts once.
            if (!await Scalar<bool>(connection, transaction, "SELECT EXISTS (SELECT 1 FROM filter_catalog_builds)"))
            {
                await FilterCatalogRefresh.RefreshAsync(connection, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            await streams.Output.WriteLineAsync("intent data is already loaded; not seeding");
            return 0;
        }

        if (hasData && !replace)
        {
            await streams.Error.WriteLineAsync("intent data is already loaded; pass --replace to replace it with synthetic data");
            return 1;
        }

        if (hasData)
        {
            await ClearAsync(connection, transaction);
        }

        var data = new SyntheticIntentData(options);
        var loader = new IntentDataLoader(connection);
        var dates = options.Dates.ToList();
        long topicRows = 0, personRows = 0, scoreRows = 0;
        var console = Terminal.For(streams.Error);
        await console.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var topicsTask = progress.AddTask("topics", autoStart: false, maxValue: options.Topics);
                var peopleTask = progress.AddTask("people", autoStart: false, maxValue: options.People);
                var scoresTask = progress.AddTask("scores", autoStart: false, maxValue: dates.Count);

                topicsTask.StartTask();
                topicRows = await loader.CopyTopicsAsync(Counted(data.Topics(), topicsTask), cancellationToken);
                Finish(console, topicsTask, $"topics  {topicRows:N0}");

                peopleTask.StartTask();
                personRows = await loader.CopyPeopleAsync(Counted(data.People(), peopleTask), cancellationToken);
                Finish(console, peopleTask, $"people  {personRows:N0}");

                scoresTask.StartTask();
                for (var d = 0; d < dates.Count; d++)
                {
                    var date = dates[d];
                    var before = scoreRows;
                    scoreRows += await loader.LoadScoresAsync(date, data.Scores(date), transaction,
                        rows => scoresTask.Description = $"scores  {before + rows:N0} ({date:yyyy-MM-dd})", cancellationToken);
                    scoresTask.Value = d + 1;
                }

                Finish(console, scoresTask, $"scores  {scoreRows:N0} over {dates.Count} days ({dates[0]:yyyy-MM-dd} to {dates[^1]:yyyy-MM-dd})");
            });

        await FilterCatalogRefresh.RefreshAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await streams.Output.WriteLineAsync($"seeded {topicRows:N0} topics, {personRows:N0} people, {scoreRows:N0} scores (seed {options.Seed})");
        return 0;
    }

    private static IEnumerable<T> Counted<T>(IEnumerable<T> rows, ProgressTask task)
    {
        var count = 0;
        foreach (var row in rows)
        {
            yield return row;
            if (++count % ProgressStep == 0)
            {
                task.Value = count;
            }
        }
    }

    private static void Finish(IAnsiConsole console, ProgressTask task, string description)
    {
        task.Description = Markup.Escape(description);
        task.Value = task.MaxValue;
        task.StopTask();
        // Without a live display (a log, a pipe) finished steps are not shown; say them once each.
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
        {
            console.WriteLine($"{description}  {task.ElapsedTime?.TotalSeconds ?? 0:N1}s");
        }
    }

    private static async Task ClearAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var partitions = new List<string>();
        await using (var list = new NpgsqlCommand(
                         "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'intent_scores'",
                         connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                partitions.Add(reader.GetString(0));
            }
        }

        foreach (var partition in partitions)
        {
            await Execute(connection, transaction, $"DROP TABLE \"{partition}\"");
        }

        await Execute(connection, transaction, "TRUNCATE topic_daily_aggregates, data_dates, people, topics");
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
