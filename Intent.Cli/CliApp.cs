using Intent.Data;
using Microsoft.EntityFrameworkCore;

namespace Intent.Cli;

/// <summary>Dispatches <c>intent-cli COMMAND ...</c>; the <c>./intent</c> script calls it.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await Console.Out.WriteLineAsync($"usage: intent-cli migrate | seed [options] | import {{topics|people|scores}} FILE.csv [--date D] | schedule run-daily | {TokenCommands.Usage} | {OrganizationCommands.Usage}");
            return args.Length == 0 ? 2 : 0;
        }

        var connectionString = Environment.GetEnvironmentVariable($"ConnectionStrings__{IntentDataExtensions.ConnectionStringName}");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync($"ConnectionStrings__{IntentDataExtensions.ConnectionStringName} is not set.");
            return 2;
        }

        try
        {
            return await DispatchAsync(args, connectionString);
        }
        catch (ArgumentException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            return 2;
        }
    }

    private static async Task<int> DispatchAsync(string[] args, string connectionString)
    {
        switch (args[0])
        {
            case "migrate":
                return await MigrateAsync(connectionString);
            case "import":
                return await Import.ImportCommand.RunAsync(connectionString, args[1..], Console.Out, Console.Error);
            case "schedule":
                return await ScheduleCommand.RunAsync(connectionString, args[1..], Console.Out);
            case "seed":
                return await SeedCommand.RunAsync(connectionString, args[1..]);
            case "token":
                return await TokenCommands.RunAsync(connectionString, args[1..], Console.Out, Console.Error);
            case "org":
                return await OrganizationCommands.RunAsync(connectionString, args[1..], Console.Out, Console.Error);
            default:
                await Console.Error.WriteLineAsync($"unknown command '{args[0]}'; see --help");
                return 2;
        }
    }

    private static async Task<int> MigrateAsync(string connectionString)
    {
        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        await db.Database.MigrateAsync();
        await Console.Out.WriteLineAsync(pending.Count == 0
            ? "database is up to date"
            : $"applied {pending.Count} migration(s): {string.Join(", ", pending)}");
        return 0;
    }
}
