using System.Globalization;
using System.Text;

namespace Intent.Pipeline.Exports;

/// <summary>The file name a run's CSV is offered under: <c>{audience-name}-{dataDate}-{run id start}.csv</c>.</summary>
public static class ExportFileNames
{
    public static string For(string audienceName, DateOnly? dataDate, Guid runId)
    {
        var slug = new StringBuilder();
        foreach (var c in audienceName.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var name = slug.ToString().Trim('-');
        name = name.Length == 0 ? "audience" : name[..Math.Min(name.Length, 60)].TrimEnd('-');
        var date = dataDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "no-date";
        return $"{name}-{date}-{runId.ToString("N", CultureInfo.InvariantCulture)[..8]}.csv";
    }
}
