using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Intent.Messaging.Relay;

/// <summary>
/// Wakes relays after a commit that wrote outbox rows, at no cost to the committing transaction: this
/// process's relays are signalled directly, and other processes' by a <c>NOTIFY</c> sent afterwards on a
/// connection of its own, at most one every <see cref="Interval"/> however
/// many commits asked. A <c>NOTIFY</c> inside the writer's transaction would take PostgreSQL's
/// database-wide notify lock at its commit and make notifying commits run one at a time. A wake-up
/// that is lost (a dropped connection, a process stopping) costs at most the relays' poll interval.
/// </summary>
public sealed class OutboxWakeUp(ILogger<OutboxWakeUp> logger) : IAsyncDisposable
{
    private readonly List<OutboxSignal> _local = [];
    private readonly OutboxSignal _requested = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private NpgsqlDataSource? _dataSource;
    private Task? _notifying;

    /// <summary>
    /// The notifying connection's session settings. A <c>NOTIFY</c> gives its transaction an id, so its commit writes a record
    /// and would flush the WAL beside the writers' flushes; it need not wait for that: a notification lost in a crash costs at
    /// most the poll.
    /// </summary>
    public const string SessionOptions = "-c synchronous_commit=off";

    /// <summary>Whether other processes are told (a <c>NOTIFY</c>); this process's relays are woken either way.</summary>
    public bool NotifyOtherProcesses { get; set; } = true;

    /// <summary>The shortest pause between two notifications of this process.</summary>
    public TimeSpan Interval { get; set; } = PostgresOutboxOptions.DefaultWakeUpInterval;

    /// <summary>A relay of this process, woken directly.</summary>
    public void Register(OutboxSignal signal)
    {
        lock (_lock)
        {
            _local.Add(signal);
        }
    }

    /// <summary>
    /// Outbox rows written through <paramref name="context"/>'s connection outside <c>SaveChanges</c> (e.g. with
    /// <see cref="Outbox.OutboxBatchCommands"/>) were committed; tell the relays. <c>SaveChanges</c> and its
    /// transactions report their own commits.
    /// </summary>
    public void Committed(DbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Committed(context.Database.GetConnectionString()
            ?? throw new InvalidOperationException($"{context.GetType().Name} has no connection string."), OutboxTableNames.FromModel(context.Model).Channel);
    }

    /// <summary>Outbox rows were committed to the database of <paramref name="connectionString"/>; tell the relays.</summary>
    public void Committed(string connectionString, string channel)
    {
        lock (_lock)
        {
            foreach (var signal in _local)
            {
                signal.Set();
            }

            if (!NotifyOtherProcesses || _stopping.IsCancellationRequested)
            {
                return;
            }

            if (_dataSource is null)
            {
                var builder = new NpgsqlDataSourceBuilder(connectionString);
                builder.ConnectionStringBuilder.ApplicationName = "outbox-wake-up";
                builder.ConnectionStringBuilder.MaxPoolSize = 2;
                builder.ConnectionStringBuilder.Options = SessionOptions;
                _dataSource = builder.Build();
                _notifying = NotifyAsync(_dataSource, channel, _stopping.Token);
            }
        }

        _requested.Set();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_notifying is { } notifying)
        {
            await notifying;
        }

        if (_dataSource is { } dataSource)
        {
            await dataSource.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task NotifyAsync(NpgsqlDataSource dataSource, string channel, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!await _requested.WaitAsync(Timeout.InfiniteTimeSpan, stopping))
                {
                    continue;
                }

                await using (var notify = dataSource.CreateCommand("SELECT pg_notify(@channel, '')"))
                {
                    notify.Parameters.AddWithValue("channel", channel);
                    await notify.ExecuteNonQueryAsync(stopping);
                }

                await Task.Delay(Interval, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                // The relays' poll picks the rows up; the next commit tries again.
                logger.LogDebug(exception, "Outbox wake-up on {Channel} not sent", channel);
            }
        }
    }
}
