using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intent.Messaging.Inbox;

/// <summary>
/// Deletes inbox rows older than the duplicate detection window, a bounded batch per statement so
/// no long transaction or lock builds up; keeps the inbox table bounded under steady load.
/// </summary>
public sealed class InboxCleanupService<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IOptions<PostgresOutboxOptions> options,
    ILogger<InboxCleanupService<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.CleanupInterval);
        do
        {
            try
            {
                var deleted = await SweepAsync(stoppingToken);
                if (deleted > 0)
                {
                    logger.LogInformation("Inbox sweeper deleted {Count} expired rows", deleted);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Inbox sweep failed; trying again in {Interval}", settings.CleanupInterval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>Deletes every expired inbox row, in batches; returns how many.</summary>
    public async Task<long> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopeFactory.CreateAsyncScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var tables = OutboxTableNames.FromModel(dbContext.Model);
        var cutoff = DateTime.UtcNow - settings.DuplicateDetectionWindow;

        long total = 0;
        int deleted;
        do
        {
#pragma warning disable EF1002 // the table name comes from the EF model; values are parameters
            deleted = await dbContext.Database.ExecuteSqlRawAsync(
                $"""
                DELETE FROM {tables.Inbox} WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM {tables.Inbox} WHERE received < @p0 LIMIT @p1))
                """,
                [new NpgsqlParameter("p0", cutoff), new NpgsqlParameter("p1", settings.CleanupBatchSize)],
                cancellationToken);
#pragma warning restore EF1002
            total += deleted;
        }
        while (deleted == settings.CleanupBatchSize && !cancellationToken.IsCancellationRequested);

        return total;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
