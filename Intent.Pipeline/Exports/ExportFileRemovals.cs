using Intent.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Intent.Pipeline.Exports;

/// <summary>
/// Removing stored export files through <c>export_file_removals</c>: a file is queued in the transaction
/// that lets go of it (by the table's trigger, or before a write starts), and the queue row goes only
/// after the file is gone, so a process dying between the two steps leaves work for the next sweep,
/// never a file nobody knows about.
/// </summary>
public static class ExportFileRemovals
{
    /// <summary>How long a write may take to commit the file it writes before the file is removed as abandoned.</summary>
    public static readonly TimeSpan UnfinishedWriteGrace = TimeSpan.FromDays(1);

    /// <summary>Queues the file a write is about to create, committed at once on a connection of its own.</summary>
    public static async Task RegisterUnfinishedAsync(string connectionString, string key, string provider, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO export_file_removals (storage_key, storage_provider, remove_after, reason)
            VALUES (@key, @provider, now() + @grace, 'unfinished')
            """, connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("provider", provider);
        command.Parameters.AddWithValue("grace", UnfinishedWriteGrace);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// In the writer's transaction: the written file now belongs to its export. False when the queue row
    /// is gone (the write outlived its grace and the file may have been removed).
    /// </summary>
    public static async Task<bool> ClaimAsync(IntentDbContext db, string key, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync(
            $"DELETE FROM export_file_removals WHERE storage_key = {key} AND reason = 'unfinished'", cancellationToken) == 1;

    /// <summary>Removes these files now and their queue rows after; a file that cannot be removed stays queued for the sweep.</summary>
    public static async Task<int> RemoveNowAsync(IntentDbContext db, IExportStore store, IReadOnlyCollection<string> keys, ILogger logger,
        CancellationToken cancellationToken)
    {
        var removed = await DeleteFilesAsync(store, keys, logger, cancellationToken);
        if (removed.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"DELETE FROM export_file_removals WHERE storage_key = ANY({removed.ToArray()})", cancellationToken);
        }

        return removed.Count;
    }

    /// <summary>
    /// Removes the queued files that are due in <paramref name="store"/>, a batch per transaction (rows locked,
    /// skipped by other sweepers, deleted after their files); returns how many were removed.
    /// </summary>
    public static async Task<int> RemoveDueAsync(IntentDbContext db, IExportStore store, int batchSize, ILogger logger,
        CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var due = await db.Database.SqlQuery<string>(
                $"""
                SELECT storage_key AS "Value" FROM export_file_removals
                WHERE remove_after <= now() AND storage_provider = {store.Provider}
                ORDER BY remove_after LIMIT {batchSize} FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken);
            var removed = await DeleteFilesAsync(store, due, logger, cancellationToken);
            if (removed.Count > 0)
            {
                await db.Database.ExecuteSqlAsync($"DELETE FROM export_file_removals WHERE storage_key = ANY({removed.ToArray()})", cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            total += removed.Count;
            if (due.Count < batchSize || removed.Count < due.Count)
            {
                return total;
            }
        }
    }

    private static async Task<List<string>> DeleteFilesAsync(IExportStore store, IEnumerable<string> keys, ILogger logger, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var key in keys)
        {
            try
            {
                await store.DeleteAsync(key, cancellationToken);
                removed.Add(key);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Export file {StorageKey} could not be removed; it stays queued", key);
            }
        }

        return removed;
    }
}
