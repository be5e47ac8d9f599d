using System.Linq.Expressions;
using Intent.Data.Runs;

namespace Intent.Pipeline.Runs;

/// <summary>
/// The current-attempt rule, in one place: a message, a timer or a heartbeat that names an attempt
/// acts only while that attempt is the run's latest (<c>attempts</c>). Messages from before attempts
/// were numbered carry 0 and belong to the current attempt.
/// </summary>
public static class RunAttempts
{
    /// <summary>The rule as a query filter, for statements that must check it in the database.</summary>
    public static Expression<Func<AudienceRun, bool>> IsCurrentAttempt(int attempt) =>
        run => attempt == 0 || run.Attempts == attempt;

    public static bool IsCurrent(AudienceRun run, int attempt) => attempt == 0 || run.Attempts == attempt;
}
