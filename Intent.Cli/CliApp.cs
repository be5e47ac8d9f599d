using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Intent.Cli.Errors;
using Intent.Cli.Import;
using Intent.Data;

namespace Intent.Cli;

/// <summary>
/// The <c>intent</c> command line (System.CommandLine) that the <c>./intent</c> script calls. Exit codes:
/// 0 done, 1 refused (e.g. bad rows, an unknown organization), <see cref="UsageError"/> for bad arguments.
/// </summary>
public static class CliApp
{
    public const int UsageError = 2;

    public static readonly string ConnectionStringVariable = $"ConnectionStrings__{IntentDataExtensions.ConnectionStringName}";

    // "@name" stays a value (an organization may be called that), not a response file to read arguments from.
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    public static Task<int> RunAsync(string[] args) =>
        InvokeAsync(CreateRootCommand(Environment.GetEnvironmentVariable(ConnectionStringVariable)), args, Console.Out, Console.Error);

    public static Command CreateRootCommand(string? connectionString)
    {
        var root = new Command("intent", $"Intent's operator commands. They work on the database that {ConnectionStringVariable} names; ./intent sets it.")
        {
            MigrateCommand.Create(connectionString),
            SeedCommand.Create(connectionString),
            ImportCommand.Create(connectionString),
            ScheduleCommand.Create(connectionString),
            TokenCommands.Create(connectionString),
            OrganizationCommands.Create(connectionString),
            ErrorsCommand.Create(ErrorsCommand.SettingsFromEnvironment()),
        };
        root.Options.Add(new HelpOption());
        return root;
    }

    /// <summary>
    /// Parses <paramref name="args"/> for <paramref name="command"/> and runs it with <paramref name="output"/> and
    /// <paramref name="error"/> as its streams. Parse errors go to <paramref name="error"/> and exit with <see cref="UsageError"/>.
    /// </summary>
    public static async Task<int> InvokeAsync(Command command, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var result = command.Parse(args, Parsing);
        if (result.Action is ParseErrorAction parseError)
        {
            // A group such as `token` without its subcommand lists what it offers; otherwise the errors and where help is.
            var failed = result.CommandResult.Command;
            parseError.ShowHelp = failed.Subcommands.Count > 0 && failed.Action is null;
            parseError.ShowTypoCorrections = false;
            result.Invoke(new InvocationConfiguration { Output = error, Error = error });
            if (!parseError.ShowHelp)
            {
                await error.WriteLineAsync($"see: {CommandPath(result)} --help");
            }

            return UsageError;
        }

        return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>Sets <paramref name="command"/>'s action, run only when a connection string is given.</summary>
    public static void SetDatabaseAction(this Command command, string? connectionString, Func<ParseResult, string, CancellationToken, Task<int>> action) =>
        command.SetAction(async (result, cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                await result.InvocationConfiguration.Error.WriteLineAsync($"{ConnectionStringVariable} is not set.");
                return UsageError;
            }

            return await action(result, connectionString, cancellationToken);
        });

    private static string CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (var command = result.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, command.Command.Name);
        }

        return string.Join(' ', names);
    }
}
