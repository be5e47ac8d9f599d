using Npgsql;

namespace Intent.Worker.Runs;

/// <summary>
/// Which materialization failures another attempt may cure. Failures not named here (a lost
/// connection, a broker error) are left to the message retry and reach the saga as a fault, which
/// it treats as transient too.
/// </summary>
public static class MaterializationFailures
{
    public const string NoIntentData = "NO_INTENT_DATA";
    public const string InvalidConfig = "INVALID_CONFIG";
    public const string Timeout = "MATERIALIZATION_TIMEOUT";
    public const string Conflict = "MATERIALIZATION_CONFLICT";
    public const string DatabaseUnavailable = "DATABASE_UNAVAILABLE";
    public const string Failed = "MATERIALIZATION_FAILED";
    public const string WorkerLost = "WORKER_LOST";

    public sealed record Classified(string Code, string Message, bool Retryable);

    /// <summary>The failure as the run should record it, or null when the transaction cannot be trusted any more.</summary>
    public static Classified? Classify(Exception exception) => exception switch
    {
        InvalidDataException e => new(InvalidConfig, e.Message, Retryable: false),
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } e => new(Timeout, $"Waited too long for a lock: {e.MessageText}", true),
        PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } e => new(Timeout, $"The materialization took too long: {e.MessageText}", true),
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } e => new(Conflict, e.MessageText, true),
        PostgresException e when e.SqlState.StartsWith("53", StringComparison.Ordinal) => new(DatabaseUnavailable, e.MessageText, true),

        // The server ended the session (57P01..57P05): nothing more can be done on this connection.
        PostgresException e when e.SqlState.StartsWith("57", StringComparison.Ordinal) => null,
        PostgresException e => new(Failed, $"{e.SqlState}: {e.MessageText}", Retryable: false),
        _ => null,
    };
}
