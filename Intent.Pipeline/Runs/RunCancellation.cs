using Intent.Data;
using Intent.Data.Runs;
using Microsoft.EntityFrameworkCore;

namespace Intent.Pipeline.Runs;

/// <summary>
/// Queued → Cancelled, one of the two run transitions made outside <see cref="AudienceRunStateMachine"/>, so
/// that <c>DELETE .../runs/{id}</c> answers at once. It is one conditional UPDATE: it waits for a
/// worker holding the row, and only a still-queued run (new or waiting for a retry) is cancelled, so a
/// cancel and a worker starting the run cannot both win. The saga then ignores every message of it.
/// </summary>
public static class RunCancellation
{
    /// <summary>Whether the organization's queued run of that audience was cancelled.</summary>
    public static async Task<bool> CancelQueuedAsync(
        IntentDbContext db, Guid organizationId, Guid audienceId, Guid runId, DateTime now, CancellationToken cancellationToken) =>
        await db.AudienceRuns
            .Where(r => r.CorrelationId == runId && r.AudienceId == audienceId && r.OrganizationId == organizationId && r.Status == RunStatus.Queued)
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.CancelledAt, now)
                    .SetProperty(r => r.NextAttemptAt, (DateTime?)null).SetProperty(r => r.UpdatedAt, now),
                cancellationToken) == 1;
}
