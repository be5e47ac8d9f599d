using System.CommandLine;
using Intent.Data;
using Microsoft.EntityFrameworkCore;

namespace Intent.Cli;

/// <summary><c>migrate</c>: applies the pending EF Core migrations.</summary>
public static class MigrateCommand
{
    public static Command Create(string? connectionString)
    {
        var command = new Command("migrate", "Apply the database migrations that are not applied yet.");
        command.SetDatabaseAction(connectionString, async (result, database, cancellationToken) =>
        {
            await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(database));
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            await db.Database.MigrateAsync(cancellationToken);
            await result.InvocationConfiguration.Output.WriteLineAsync(pending.Count == 0
                ? "database is up to date"
                : $"applied {pending.Count} migration(s): {string.Join(", ", pending)}");
            return 0;
        });
        return command;
    }
}
