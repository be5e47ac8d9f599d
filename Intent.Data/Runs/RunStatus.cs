namespace Intent.Data.Runs;

/// <summary>
/// A run's status as stored and shown (<c>queued</c>, ...). The run saga keeps its state in the same
/// column under its state names (<c>Queued</c>, ...): one column, one source of truth.
/// </summary>
public static class RunStatus
{
    public const string Queued = "Queued";
    public const string Running = "Running";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";

    public static readonly string[] All = [Queued, Running, Completed, Failed, Cancelled];

    public static string ToPublic(string state) => state.ToLowerInvariant();

    public static string FromPublic(string status) =>
        All.FirstOrDefault(s => string.Equals(s, status, StringComparison.OrdinalIgnoreCase))
        ?? throw new FormatException($"'{status}' is not a run status");
}
