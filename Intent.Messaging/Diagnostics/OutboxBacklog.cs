using System.Diagnostics;
using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intent.Messaging.Diagnostics;

/// <summary>
/// Reads the backlog of the outbox in <typeparamref name="TDbContext"/>: a count of the message rows and
/// the oldest outbox's creation time (indexed), cached for <see cref="CacheDuration"/>. It has its own
/// small connection pool, whose statements are traced only inside a caller's trace.
/// </summary>
public sealed class OutboxBacklog<TDbContext>(IServiceScopeFactory scopeFactory, TimeProvider time) : IOutboxBacklog, IDisposable
    where TDbContext : DbContext
{
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(5);

    private const int CommandTimeoutSeconds = 5;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private OutboxBacklogSnapshot? _last;
    private (NpgsqlDataSource DataSource, string Sql)? _query;

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

            var (dataSource, sql) = Query();
            using var command = dataSource.CreateCommand(sql);
            command.CommandTimeout = CommandTimeoutSeconds;
            using var reader = command.ExecuteReader();
            reader.Read();
            return Keep(reader);
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

            var (dataSource, sql) = Query();
            await using var command = dataSource.CreateCommand(sql);
            command.CommandTimeout = CommandTimeoutSeconds;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return Keep(reader);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _query?.DataSource.Dispose();
        _gate.Dispose();
    }

    private (NpgsqlDataSource DataSource, string Sql) Query()
    {
        if (_query is { } query)
        {
            return query;
        }

        using var scope = scopeFactory.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var builder = new NpgsqlDataSourceBuilder(db.Database.GetConnectionString()
            ?? throw new InvalidOperationException($"{typeof(TDbContext).Name} has no connection string to read the outbox backlog with."));
        builder.ConnectionStringBuilder.ApplicationName = "outbox-backlog";
        builder.ConnectionStringBuilder.MaxPoolSize = 2;
        builder.ConfigureTracing(tracing => tracing.ConfigureCommandFilter(_ => Activity.Current is not null));
        var tables = OutboxTableNames.FromModel(db.Model);
        _query = (builder.Build(), $"""
            SELECT (SELECT count(*) FROM {tables.Message}),
                   (SELECT extract(epoch FROM now() - min(created))::float8 FROM {tables.State})
            """);
        return _query.Value;
    }

    private OutboxBacklogSnapshot? Fresh() =>
        _last is { } last && time.GetUtcNow().UtcDateTime - last.ReadAt < CacheDuration ? last : null;

    private OutboxBacklogSnapshot Keep(NpgsqlDataReader reader)
    {
        var oldestSeconds = reader.IsDBNull(1) ? 0 : Math.Max(0, reader.GetDouble(1));
        var snapshot = new OutboxBacklogSnapshot(reader.GetInt64(0), TimeSpan.FromSeconds(oldestSeconds), time.GetUtcNow().UtcDateTime);
        _last = snapshot;
        return snapshot;
    }
}
