using System.Diagnostics;

namespace Intent.Cli;

/// <summary>A one-line progress bar on stderr (a line per update when stderr is not a terminal).</summary>
public sealed class ProgressBar(string label, long total)
{
    private const int Width = 30;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private long _lastPrinted = -1;

    public void Report(long done, string detail = "")
    {
        var percent = total == 0 ? 100 : (int)Math.Min(100, done * 100 / total);
        if (Console.IsErrorRedirected && percent / 10 == _lastPrinted / 10 && done < total)
        {
            return;
        }

        _lastPrinted = percent;
        var filled = Width * percent / 100;
        var bar = new string('#', filled) + new string('-', Width - filled);
        var line = $"{label,-8} [{bar}] {percent,3}%  {detail}  {_watch.Elapsed.TotalSeconds:N1}s";
        Console.Error.Write(Console.IsErrorRedirected ? line + Environment.NewLine : $"\r{line}   ");
    }

    public void Done(string detail)
    {
        Report(total, detail);
        if (!Console.IsErrorRedirected)
        {
            Console.Error.WriteLine();
        }
    }
}
