using Npgsql;

namespace Intent.Tests.Integration.Runs;

/// <summary>
/// A real transient fault: another session holds an exclusive lock on a day's scores, so any
/// materialization on that day waits for the lock (and gives up after the worker's lock timeout)
/// until the lock is released.
/// </summary>
public sealed class ScoresLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;

    private ScoresLock(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<ScoresLock> TakeAsync(ScratchDatabase database, string partition = "intent_scores_20010102")
    {
        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand($"LOCK TABLE {partition} IN ACCESS EXCLUSIVE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync();
        return new ScoresLock(connection, transaction);
    }

    public async Task ReleaseAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync();
            await _transaction.DisposeAsync();
            _transaction = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _connection.DisposeAsync();
    }
}
