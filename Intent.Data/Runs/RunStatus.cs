namespace Intent.Data.Runs;

/// <summary>
/// Every status a run can take, defined once. The run saga keeps its state in the <c>status</c> column
/// under its state names (<see cref="Queued"/>, ...); the column stores and the API shows the
/// lower-case spellings (<see cref="Stored"/>), which SQL uses through the constants here.
/// Transitions live in <c>Intent.Pipeline.Runs.AudienceRunStateMachine</c>.
/// </summary>
public static class RunStatus
{
    public const string Queued = "Queued";
    public const string Running = "Running";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";

    public static readonly string[] All = [Queued, Running, Completed, Failed, Cancelled];

    /// <summary>A state's spelling in the column and the API: <c>queued</c>, ...</summary>
    public static string ToPublic(string state) => state switch
    {
        Queued => Stored.Queued,
        Running => Stored.Running,
        Completed => Stored.Completed,
        Failed => Stored.Failed,
        Cancelled => Stored.Cancelled,
        _ => throw new FormatException($"'{state}' is not a run state"),
    };

    public static string FromPublic(string status) => status switch
    {
        Stored.Queued => Queued,
        Stored.Running => Running,
        Stored.Completed => Completed,
        Stored.Failed => Failed,
        Stored.Cancelled => Cancelled,
        _ => throw new FormatException($"'{status}' is not a run status"),
    };

    /// <summary>The spellings in the <c>status</c> column, for SQL: <c>$"status = '{RunStatus.Stored.Queued}'"</c>.</summary>
    public static class Stored
    {
        public const string Queued = "queued";
        public const string Running = "running";
        public const string Completed = "completed";
        public const string Failed = "failed";
        public const string Cancelled = "cancelled";

        /// <summary>Queued or running: the statuses of a run in flight (one per audience).</summary>
        public const string InFlightList = $"'{Queued}', '{Running}'";

        public const string AllList = $"'{Queued}', '{Running}', '{Completed}', '{Failed}', '{Cancelled}'";
    }
}
