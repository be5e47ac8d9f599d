using System.Globalization;
using Intent.Contracts.Exports;
using Intent.Contracts.Runs;
using Intent.Data;
using Intent.Pipeline.Diagnostics;
using Intent.Data.Exports;
using Intent.Data.Runs;
using Intent.Pipeline.Exports;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Intent.Pipeline.Email;

/// <summary>
/// The "your audience is ready" email. Completed runs arrive in batches, most of them of audiences without
/// recipients, which cost one shared query. When a run of an audience with recipients completes, its stored
/// export is requested (or reused); once the export is stored, one email with the audience name, data
/// date, result count and a signed download link goes out. The run row is locked while sending and
/// <c>readyEmailSentAt</c> is checked first, so redelivered or repeated messages send nothing more.
/// Each email first takes its recipients from the organization's daily quota; one that does not fit is
/// not sent. Failures are retried a few times, then recorded in <c>readyEmailError</c> as a code and a
/// safe sentence (details in the log); the run stays completed.
/// </summary>
public sealed class ReadyEmailConsumer(
    IntentDbContext db,
    IReadyEmailSender sender,
    ReadyEmailQuota quota,
    DownloadUrls downloadUrls,
    IOptions<EmailOptions> options,
    TimeProvider clock,
    PipelineMetrics metrics,
    ILogger<ReadyEmailConsumer> logger)
    : IConsumer<Batch<AudienceRunCompleted>>, IConsumer<AudienceExportCompleted>, IConsumer<AudienceExportFailed>
{
    /// <summary>Completed runs one batch takes at most.</summary>
    public const int MessageLimit = 250;

    private sealed record Wanted(AudienceRun Run, string AudienceName, List<string> Recipients);

    /// <summary>Completed runs come in batches, most of them of audiences without recipients: one query finds the few that want an email.</summary>
    public async Task Consume(ConsumeContext<Batch<AudienceRunCompleted>> context)
    {
        var runIds = context.Message.Select(m => m.Message.RunId).Distinct().ToList();
        var found = await db.AudienceRuns.AsNoTracking()
            .Where(r => runIds.Contains(r.CorrelationId) && r.Status == RunStatus.Completed && r.ReadyEmailSentAt == null)
            .Join(db.Audiences.Where(a => a.ReadyEmailRecipients.Count > 0), r => r.AudienceId, a => a.Id,
                (r, a) => new { Run = r, a.Name, a.ReadyEmailRecipients })
            .OrderBy(x => x.Run.CorrelationId)
            .ToListAsync(context.CancellationToken);
        foreach (var wanted in found.Select(f => new Wanted(f.Run, f.Name, f.ReadyEmailRecipients)))
        {
            var export = await ExportRequests.RequestAsync(db, context, wanted.Run, context.CancellationToken);
            if (ExportRequests.IsDownloadable(export, clock.GetUtcNow().UtcDateTime))
            {
                await SendAsync(wanted, export, context.CancellationToken);
            }
        }
    }

    public async Task Consume(ConsumeContext<AudienceExportCompleted> context)
    {
        if (await WantedAsync(context.Message.RunId, context.CancellationToken) is not { } wanted)
        {
            return;
        }

        var export = await db.AudienceExports.AsNoTracking().SingleAsync(e => e.Id == context.Message.ExportId, context.CancellationToken);
        await SendAsync(wanted, export, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<AudienceExportFailed> context)
    {
        if (await WantedAsync(context.Message.RunId, context.CancellationToken) is not null)
        {
            logger.LogWarning("Run {RunId}: no ready email, export {ExportId} failed: {Code}",
                context.Message.RunId, context.Message.ExportId, context.Message.ErrorCode);
            await RecordAsync(context.Message.RunId, exportId: context.Message.ExportId, sent: false,
                ReadyEmailFailures.ExportFailed(context.Message.ErrorCode), context.CancellationToken);
        }
    }

    /// <summary>The completed run and its audience's recipients, when a ready email is wanted and not sent yet.</summary>
    private async Task<Wanted?> WantedAsync(Guid runId, CancellationToken cancellationToken)
    {
        var found = await db.AudienceRuns.AsNoTracking()
            .Where(r => r.CorrelationId == runId && r.Status == RunStatus.Completed && r.ReadyEmailSentAt == null)
            .Join(db.Audiences, r => r.AudienceId, a => a.Id, (r, a) => new { Run = r, a.Name, a.ReadyEmailRecipients })
            .SingleOrDefaultAsync(cancellationToken);
        return found is { ReadyEmailRecipients.Count: > 0 } ? new Wanted(found.Run, found.Name, found.ReadyEmailRecipients) : null;
    }

    private async Task SendAsync(Wanted wanted, AudienceExport export, CancellationToken cancellationToken)
    {
        // The row lock makes a concurrent delivery of the same news wait here, then find the email sent.
        var alreadySent = (await db.Database
            .SqlQuery<bool>($"SELECT ready_email_sent_at IS NOT NULL AS \"Value\" FROM audience_runs WHERE id = {wanted.Run.CorrelationId} FOR UPDATE")
            .ToListAsync(cancellationToken)).Single();
        if (alreadySent)
        {
            return;
        }

        if (!await quota.TryReserveAsync(wanted.Run.OrganizationId, wanted.Recipients.Count, cancellationToken))
        {
            logger.LogWarning("Run {RunId}: ready email to {Count} recipients not sent, organization {OrganizationId} is over its daily quota of {Quota}",
                wanted.Run.CorrelationId, wanted.Recipients.Count, wanted.Run.OrganizationId, quota.Quota);
            await RecordAsync(wanted.Run.CorrelationId, export.Id, sent: false, quota.Describe(), cancellationToken);
            metrics.Email("quota_refused");
            return;
        }

        var message = Compose(wanted, export);
        var settings = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await sender.SendAsync(message, cancellationToken);
                await RecordAsync(wanted.Run.CorrelationId, export.Id, sent: true, error: null, cancellationToken);
                metrics.Email("sent");
                logger.LogInformation("Run {RunId}: ready email sent to {Count} recipients via {Destination}",
                    wanted.Run.CorrelationId, wanted.Recipients.Count, sender.Destination);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var failure = ReadyEmailFailures.Classify(e);
                logger.LogWarning(e, "Run {RunId}: ready email attempt {Attempt} of {Max} failed ({Code})",
                    wanted.Run.CorrelationId, attempt, settings.MaxAttempts, failure.Code);
                if (attempt >= settings.MaxAttempts)
                {
                    await RecordAsync(wanted.Run.CorrelationId, export.Id, sent: false, failure.ToString(), cancellationToken);
                    metrics.Email("failed", failure.Code);
                    return;
                }

                await Task.Delay(settings.RetryDelay * Math.Pow(2, attempt - 1), cancellationToken);
            }
        }
    }

    private MimeMessage Compose(Wanted wanted, AudienceExport export)
    {
        var run = wanted.Run;
        var signed = downloadUrls.Create(export.Id);
        var link = downloadUrls.Absolute(signed);
        var date = run.DataDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
        var message = new MimeMessage
        {
            // One id per run: a receiving system can tell a resend from a new email.
            MessageId = $"run-{run.CorrelationId:N}@intent",
            Subject = $"Your audience \"{wanted.AudienceName}\" is ready: {run.ResultCount.ToString("N0", CultureInfo.InvariantCulture)} people",
        };
        message.From.Add(MailboxAddress.Parse(options.Value.From));
        message.To.AddRange(wanted.Recipients.Select(MailboxAddress.Parse));
        message.Body = new TextPart("plain")
        {
            Text = $"""
                Your audience "{wanted.AudienceName}" is ready.

                Data date: {date}
                People: {run.ResultCount.ToString("N0", CultureInfo.InvariantCulture)}

                Download the CSV (the link works until {signed.ExpiresAt:yyyy-MM-dd HH:mm} UTC):
                {link}
                """,
        };
        return message;
    }

    private async Task RecordAsync(Guid runId, Guid exportId, bool sent, string? error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var trimmed = error is { Length: > 2000 } ? error[..2000] : error;
        await db.AudienceRuns.Where(r => r.CorrelationId == runId && r.ReadyEmailSentAt == null)
            .ExecuteUpdateAsync(
                s => s.SetProperty(r => r.ReadyEmailSentAt, r => sent ? now : null)
                    .SetProperty(r => r.ReadyEmailExportId, exportId)
                    .SetProperty(r => r.ReadyEmailError, trimmed)
                    .SetProperty(r => r.UpdatedAt, now),
                cancellationToken);
    }
}
