using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intent.Messaging.Diagnostics;

/// <summary>
/// Reads the backlog of the outbox in <typeparamref name="TDbContext"/>: a count of the message rows and
/// the oldest outbox's creation time (indexed), cached for <see cref="CacheDuration"/>.
/// </summary>
public sealed class OutboxBacklog<TDbContext>(IServiceScopeFactory scopeFactory, TimeProvider time) : IOutboxBacklog, IDisposable
    where TDbContext : DbContext
{
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(5);

    private const int CommandTimeoutSeconds = 5;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private OutboxBacklogSnapshot? _last;

    public OutboxBacklogSnapshot Read()
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }

        _gate.Wait();
        try
        {
            if (Fresh() is { } again)
            {
                return again;
            }

            using var scope = scopeFactory.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            db.Database.OpenConnection();
            try
            {
                using var command = Command(connection, OutboxTableNames.FromModel(db.Model));
                using var reader = command.ExecuteReader();
                reader.Read();
                return Keep(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetDouble(1));
            }
            finally
            {
                db.Database.CloseConnection();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<OutboxBacklogSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } again)
            {
                return again;
            }

            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await using var command = Command(connection, OutboxTableNames.FromModel(db.Model));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                return Keep(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetDouble(1));
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private OutboxBacklogSnapshot? Fresh() =>
        _last is { } last && time.GetUtcNow().UtcDateTime - last.ReadAt < CacheDuration ? last : null;

    private OutboxBacklogSnapshot Keep(long pending, double? oldestSeconds)
    {
        var snapshot = new OutboxBacklogSnapshot(pending, TimeSpan.FromSeconds(Math.Max(0, oldestSeconds ?? 0)), time.GetUtcNow().UtcDateTime);
        _last = snapshot;
        return snapshot;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, OutboxTableNames tables) =>
        new($"""
            SELECT (SELECT count(*) FROM {tables.Message}),
                   (SELECT extract(epoch FROM now() - min(created))::float8 FROM {tables.State})
            """, connection)
        {
            CommandTimeout = CommandTimeoutSeconds,
        };
}
