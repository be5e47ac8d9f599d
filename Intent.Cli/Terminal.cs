using Spectre.Console;

namespace Intent.Cli;

/// <summary>Spectre.Console over a command's stream: live and coloured on a terminal, plain lines otherwise.</summary>
public static class Terminal
{
    /// <summary>A width nothing reaches: plain output is read by scripts, one line per table row however long.</summary>
    public const int UnboundedWidth = 4096;

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
            console.Profile.Width = UnboundedWidth;
        }

        return console;
    }
}
