using Intent.Data.Runs;
using Npgsql;

namespace Intent.Pipeline.Runs;

/// <summary>
/// Takes and renews a running attempt's lease while its snapshot is built, on a connection of its own
/// so each heartbeat commits at once (the materialization's transaction commits only at the end).
/// </summary>
public sealed class RunHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private RunHeartbeat(string connectionString, Guid runId, int attempt, TimeSpan interval, ILogger logger) =>
        _loop = BeatAsync(connectionString, runId, attempt, interval, logger, _stop.Token);

    public static RunHeartbeat Start(string connectionString, Guid runId, int attempt, TimeSpan interval, ILogger logger) =>
        new(connectionString, runId, attempt, interval, logger);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private static async Task BeatAsync(string connectionString, Guid runId, int attempt, TimeSpan interval, ILogger logger, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            // The first beat takes the lease at once; then one every interval.
            do
            {
                try
                {
                    await using var connection = new NpgsqlConnection(connectionString);
                    await connection.OpenAsync(stop);
                    await using var command = new NpgsqlCommand(
                        $"UPDATE audience_runs SET heartbeat_at = now() WHERE id = @id AND status = '{RunStatus.Stored.Running}' AND attempts = @attempt", connection);
                    command.Parameters.AddWithValue("id", runId);
                    command.Parameters.AddWithValue("attempt", attempt);
                    await command.ExecuteNonQueryAsync(stop);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    // The next beat tries again; a lease outlives several missed beats.
                    logger.LogWarning(e, "Run {RunId}: heartbeat not written", runId);
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
