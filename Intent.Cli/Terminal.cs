using Spectre.Console;

namespace Intent.Cli;

/// <summary>Spectre.Console over a command's stream: live and coloured on a terminal, plain lines otherwise.</summary>
public static class Terminal
{
    // Plain output is read by scripts and tests: one line per table row, however long.
    private const int PlainWidth = 4096;

    public static IAnsiConsole For(TextWriter writer)
    {
        var output = new AnsiConsoleOutput(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = output,
            Ansi = output.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = output.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = output.IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!output.IsTerminal)
        {
            console.Profile.Width = PlainWidth;
        }

        return console;
    }
}
