using Intent.Data;
using Intent.Data.Runs;

namespace Intent.Pipeline.Runs;

/// <summary>A run as the API shows it (and webhook events carry it): the 23 fields of the public contract, null where not yet known.</summary>
public sealed record RunResponse(
    Guid Id,
    Guid AudienceId,
    Guid OrganizationId,
    string Status,
    string RunType,
    string ConfigHash,
    DateOnly? DataDate,
    string? ResultKey,
    long CandidateCount,
    long ResultCount,
    int Attempts,
    DateTime? NextAttemptAt,
    string? IdempotencyKey,
    string? ErrorCode,
    string? ErrorMessage,
    DateTime? StartedAt,
    DateTime? CompletedAt,
    DateTime? CancelledAt,
    DateTime? ReadyEmailSentAt,
    Guid? ReadyEmailExportId,
    string? ReadyEmailError,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    /// <summary>
    /// The run's fields, times as PostgreSQL stores them (microseconds), so a run read back and one just
    /// written (the answer to POST .../runs, a webhook event's data) look the same.
    /// </summary>
    public static RunResponse From(AudienceRun run) => new(
        run.CorrelationId, run.AudienceId, run.OrganizationId, RunStatus.ToPublic(run.Status), SnakeCaseNames.Of(run.RunType), run.ConfigHash,
        run.DataDate, run.ResultKey, run.CandidateCount, run.ResultCount, run.Attempts, Stored(run.NextAttemptAt), run.IdempotencyKey, run.ErrorCode,
        run.ErrorMessage, Stored(run.StartedAt), Stored(run.CompletedAt), Stored(run.CancelledAt), Stored(run.ReadyEmailSentAt), run.ReadyEmailExportId,
        run.ReadyEmailError, Stored(run.CreatedAt), Stored(run.UpdatedAt));

    /// <summary>A time at the precision PostgreSQL keeps (Npgsql drops the last tick digit).</summary>
    public static DateTime Stored(DateTime time) => new(time.Ticks - (time.Ticks % 10), time.Kind);

    private static DateTime? Stored(DateTime? time) => time is { } t ? Stored(t) : null;
}
