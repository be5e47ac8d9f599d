using System.CommandLine;
using System.Globalization;
using Intent.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Intent.Cli.Errors;

/// <summary>
/// <c>errors [--show N]</c>: the error queues of the configured virtual host, their messages and why the first ones failed;
/// <c>errors replay QUEUE_error [--limit N]</c>: moves messages back to the queue they failed in.
/// </summary>
public static class ErrorsCommand
{
    public static Task<int> RunAsync(RabbitMqOptions rabbitMq, string[] args, TextWriter output, TextWriter error) =>
        CliApp.InvokeAsync(Create(rabbitMq), args, output, error);

    /// <summary>The RabbitMQ settings as the hosts read them: <c>RabbitMq__Host</c>, ..., and <c>RabbitMq__Management__Url</c> (with its user and password).</summary>
    public static RabbitMqOptions SettingsFromEnvironment() =>
        new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>() ?? new RabbitMqOptions();

    public static Command Create(RabbitMqOptions rabbitMq)
    {
        var show = CliOptions.PositiveNumber("--show", 3, "Messages per queue whose fault to show, first in line first.");
        var command = new Command("errors",
            "The error queues (QUEUE_error) of the virtual host RabbitMq__VirtualHost names: how many messages each holds and why the first ones failed.")
        {
            show,
            ReplayCommand(rabbitMq),
        };
        command.SetAction((result, cancellationToken) =>
            ReportFailures(result.InvocationConfiguration, () => ListAsync(new ErrorQueues(rabbitMq), result.GetValue(show), result.InvocationConfiguration, cancellationToken)));
        return command;
    }

    private static Command ReplayCommand(RabbitMqOptions rabbitMq)
    {
        var queue = new Argument<string>("QUEUE")
        {
            Description = "The error queue, as errors lists it (e.g. materialize-audience-snapshot_error); its messages go back to the queue named without _error.",
            CustomParser = result => result.Tokens[^1].Value.Trim() is var name && ErrorQueues.IsErrorQueue(name)
                ? name
                : CliOptions.Fail<string>(result, $"QUEUE must be an error queue, a name ending in {ErrorQueues.Suffix} as errors lists it"),
        };
        var limit = new Option<int?>("--limit")
        {
            Description = "Replay at most this many messages, first in line first [default: all it holds when the replay starts].",
            HelpName = "N",
            CustomParser = result =>
                int.TryParse(result.Tokens[^1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                    ? number
                    : CliOptions.Fail<int?>(result, "--limit must be a positive whole number"),
        };
        var command = new Command("replay",
            "Move an error queue's messages back to their queue (ids and headers kept, fault headers removed); each leaves the error queue once the broker has its copy.")
        {
            queue,
            limit,
        };
        command.SetAction((result, cancellationToken) => ReportFailures(result.InvocationConfiguration, async () =>
        {
            var replay = await new ErrorQueues(rabbitMq).ReplayAsync(result.GetRequiredValue(queue), result.GetValue(limit), cancellationToken);
            await result.InvocationConfiguration.Output.WriteLineAsync(
                $"replayed {Messages(replay.Replayed)} from {replay.ErrorQueue} to {replay.SourceQueue}; {Messages(replay.Left)} left in {replay.ErrorQueue}");
            return 0;
        }));
        return command;
    }

    private static async Task<int> ListAsync(ErrorQueues errorQueues, int show, InvocationConfiguration streams, CancellationToken cancellationToken)
    {
        var queues = await errorQueues.ListAsync(show, cancellationToken);
        if (queues.Count == 0)
        {
            await streams.Output.WriteLineAsync($"no error queues in virtual host {errorQueues.VirtualHost}");
            return 0;
        }

        var table = new Table().Border(TableBorder.None);
        string[] header = ["QUEUE", "MESSAGES", "FAULTED", "MESSAGE", "TYPE", "EXCEPTION", "REASON"];
        foreach (var (title, i) in header.Select((title, i) => (title, i)))
        {
            var column = new TableColumn(new Text(title, new Style(decoration: Decoration.Bold))).Padding(0, 0, i < header.Length - 1 ? 2 : 0, 0);
            table.AddColumn(i == 1 ? column.RightAligned() : column);
        }

        foreach (var queue in queues)
        {
            // The queue's first fault on its own row, further ones on rows of their own beneath it.
            var faults = queue.Faults.Count > 0 ? queue.Faults.Cast<ErrorQueueFault?>() : [null];
            foreach (var (fault, i) in faults.Select((fault, i) => (fault, i)))
            {
                table.AddRow(
                    new Text(i == 0 ? queue.Name : ""),
                    new Text(i == 0 ? queue.Messages.ToString(CultureInfo.InvariantCulture) : ""),
                    new Text(fault?.FaultedAt?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-"),
                    new Text(fault?.MessageId ?? "-"),
                    new Text(fault?.MessageType ?? "-"),
                    new Text(fault?.ExceptionType ?? "-"),
                    new Text(fault?.Reason ?? "-"));
            }
        }

        var console = Terminal.For(streams.Output);
        // One line per message: ids and queue names are copied from here into errors replay.
        console.Profile.Width = Terminal.UnboundedWidth;
        console.Write(table);
        return 0;
    }

    private static async Task<int> ReportFailures(InvocationConfiguration streams, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (ErrorQueueException e)
        {
            await streams.Error.WriteLineAsync(e.Message);
            return 1;
        }
    }

    private static string Messages(long count) => count == 1 ? "1 message" : $"{count} messages";
}
