using System.Globalization;
using Intent.Data.Loading;
using Intent.Data.Seeding;
using Npgsql;

namespace Intent.Cli;

/// <summary>
/// <c>seed [--people N] [--topics N] [--days N] [--seed S] [--end-date YYYY-MM-DD] [--replace | --if-empty]</c>:
/// generates deterministic synthetic intent data and loads it with binary COPY in one transaction.
/// </summary>
public static class SeedCommand
{
    public static Task<int> RunAsync(string connectionString, string[] args) => RunAsync(connectionString, args, Console.Out, Console.Error);

    /// <summary>Seeds, writing the summary to <paramref name="output"/> and progress and errors to <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string connectionString, string[] args, TextWriter output, TextWriter error)
    {
        var options = new SeedOptions();
        var replace = false;
        var ifEmpty = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--people": options = options with { People = Positive(Next(), "--people") }; break;
                case "--topics": options = options with { Topics = Positive(Next(), "--topics") }; break;
                case "--days": options = options with { Days = Positive(Next(), "--days") }; break;
                case "--seed": options = options with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--end-date": options = options with { EndDate = DateOnly.ParseExact(Next(), "yyyy-MM-dd", CultureInfo.InvariantCulture) }; break;
                case "--replace": replace = true; break;
                case "--if-empty": ifEmpty = true; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // One seeder at a time; a second waits here and then sees the first one's data.
        await Execute(connection, transaction, "LOCK TABLE topics IN EXCLUSIVE MODE");

        var hasData = await Scalar<bool>(connection, transaction, "SELECT EXISTS (SELECT 1 FROM topics) OR EXISTS (SELECT 1 FROM data_dates)");
        if (hasData && ifEmpty)
        {
            await output.WriteLineAsync("intent data is already loaded; not seeding");
            return 0;
        }

        if (hasData && !replace)
        {
            await error.WriteLineAsync("intent data is already loaded; pass --replace to replace it with synthetic data");
            return 1;
        }

        if (hasData)
        {
            await ClearAsync(connection, transaction);
        }

        var data = new SyntheticIntentData(options);
        var loader = new IntentDataLoader(connection);

        var topics = new ProgressBar("topics", options.Topics, error);
        var topicRows = await loader.CopyTopicsAsync(data.Topics());
        topics.Done($"{topicRows:N0} topics");

        var people = new ProgressBar("people", options.People, error);
        var personRows = await loader.CopyPeopleAsync(data.People());
        people.Done($"{personRows:N0} people");

        var dates = options.Dates.ToList();
        var scores = new ProgressBar("scores", dates.Count, error);
        long scoreRows = 0;
        for (var d = 0; d < dates.Count; d++)
        {
            var date = dates[d];
            var before = scoreRows;
            scoreRows += await loader.LoadScoresAsync(date, data.Scores(date), transaction,
                rows => scores.Report(d, $"{date:yyyy-MM-dd}: {before + rows:N0} scores"));
        }

        scores.Done($"{scoreRows:N0} scores over {dates.Count} days ({dates[0]:yyyy-MM-dd} to {dates[^1]:yyyy-MM-dd})");
        await transaction.CommitAsync();
        await output.WriteLineAsync($"seeded {topicRows:N0} topics, {personRows:N0} people, {scoreRows:N0} scores (seed {options.Seed})");
        return 0;
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

        await Execute(connection, transaction, "TRUNCATE data_dates, people, topics");
    }

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{name} must be a positive whole number");

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
