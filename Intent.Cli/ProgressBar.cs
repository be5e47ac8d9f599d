using System.Diagnostics;

namespace Intent.Cli;

/// <summary>A one-line progress bar (a line per tenth when it is not written to a terminal's stderr).</summary>
public sealed class ProgressBar(string label, long total, TextWriter writer)
{
    private const int Width = 30;
    private readonly bool _terminal = ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private long _lastPrinted = -1;

    public void Report(long done, string detail = "")
    {
        var percent = total == 0 ? 100 : (int)Math.Min(100, done * 100 / total);
        if (!_terminal && percent / 10 == _lastPrinted / 10 && done < total)
        {
            return;
        }

        _lastPrinted = percent;
        var filled = Width * percent / 100;
        var bar = new string('#', filled) + new string('-', Width - filled);
        var line = $"{label,-8} [{bar}] {percent,3}%  {detail}  {_watch.Elapsed.TotalSeconds:N1}s";
        writer.Write(_terminal ? $"\r{line}   " : line + Environment.NewLine);
    }

    public void Done(string detail)
    {
        Report(total, detail);
        if (_terminal)
        {
            writer.WriteLine();
        }
    }
}
