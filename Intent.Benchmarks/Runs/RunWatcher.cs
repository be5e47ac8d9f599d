using System.Collections.Concurrent;
using System.Diagnostics;
using Intent.Data.Runs;
using Npgsql;

namespace Intent.Benchmarks.Runs;

/// <summary>
/// Sees awaited runs end: one connection asks about all of them every few milliseconds with one prepared query, so
/// watching four runs takes from the machine what watching one does (a query per run and poll competed with the
/// runs for the two cores).
/// </summary>
public sealed class RunWatcher : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<Completion>> _awaited = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RunWatcher(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _loop = Task.Run(() => WatchAsync(_stop.Token));
    }

    /// <summary>
    /// When a run was seen completed (a <see cref="Stopwatch"/> timestamp), its result count, and when the transaction
    /// that built its snapshot began (the snapshot row's <c>created_at</c>, UTC).
    /// </summary>
    public sealed record Completion(long At, long ResultCount, DateTime SnapshotBegan);

    /// <summary>Completes once the run is seen completed; fails if it is seen failed or cancelled.</summary>
    public Task<Completion> CompletedAsync(Guid runId) =>
        _awaited.GetOrAdd(runId, _ => new TaskCompletionSource<Completion>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(stop);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT r.id, r.status, r.result_count, r.error_code, r.error_message, s.created_at
            FROM audience_runs r LEFT JOIN audience_snapshots s ON s.result_key = r.result_key
            WHERE r.id = ANY(@ids) AND r.status IN ('{RunStatus.Stored.Completed}', '{RunStatus.Stored.Failed}', '{RunStatus.Stored.Cancelled}')
            """,
            connection);
        var ids = new NpgsqlParameter<Guid[]>("ids", []);
        command.Parameters.Add(ids);
        await command.PrepareAsync(stop);
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stop))
        {
            if (_awaited.IsEmpty)
            {
                continue;
            }

            ids.TypedValue = [.. _awaited.Keys];
            await using var reader = await command.ExecuteReaderAsync(stop);
            var seen = Stopwatch.GetTimestamp();
            while (await reader.ReadAsync(stop))
            {
                if (!_awaited.TryRemove(reader.GetGuid(0), out var awaited))
                {
                    continue;
                }

                if (reader.GetString(1) == RunStatus.Stored.Completed)
                {
                    awaited.SetResult(new Completion(seen, reader.GetInt64(2), reader.GetDateTime(5)));
                }
                else
                {
                    awaited.SetException(new InvalidOperationException(
                        $"the run ended {reader.GetString(1)}: {(reader.IsDBNull(3) ? "" : reader.GetString(3))} {(reader.IsDBNull(4) ? "" : reader.GetString(4))}"));
                }
            }
        }
    }
}
