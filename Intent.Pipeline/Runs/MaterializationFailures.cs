using Npgsql;

namespace Intent.Pipeline.Runs;

/// <summary>
/// Which materialization failures another attempt may cure. Failures not named here (a lost
/// connection, a broker error) are left to the message retry and reach the saga as a fault, which
/// it treats as transient too. The message is what tenants see on the run: a sentence of our own, never
/// the database's text (which names tables, SQL and values); the exception goes to the worker's log.
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
        InvalidRunConfigException e => new(InvalidConfig, e.Message, Retryable: false),
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } => new(Timeout, "The materialization waited too long for a database lock.", true),
        PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } => new(Timeout, "The materialization took longer than it is allowed to.", true),
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } =>
            new(Conflict, "The materialization collided with concurrent work.", true),
        PostgresException e when e.SqlState.StartsWith("53", StringComparison.Ordinal) => new(DatabaseUnavailable, "The database was short of resources.", true),

        // The server ended the session (57P01..57P05): nothing more can be done on this connection.
        PostgresException e when e.SqlState.StartsWith("57", StringComparison.Ordinal) => null,
        PostgresException => new(Failed, "The materialization failed in the database.", Retryable: false),
        _ => null,
    };

    /// <summary>What a run records when its materialization faulted with an exception nothing here classified.</summary>
    public const string Unexpected = "The materialization failed unexpectedly.";
}
