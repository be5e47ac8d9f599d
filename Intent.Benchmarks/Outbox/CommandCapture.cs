using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Intent.Benchmarks.Outbox;

/// <summary>
/// While <see cref="Recording"/>, keeps what a DbContext sends to PostgreSQL in order: each command's text
/// with its parameters, and the transaction's begin and commit, so a benchmark can replay exactly that.
/// </summary>
public sealed class CommandCapture : DbCommandInterceptor, IDbTransactionInterceptor
{
    private readonly ConcurrentQueue<RoundTrip> _steps = new();

    public bool Recording { get; set; }

    public IReadOnlyList<RoundTrip> Steps => [.. _steps];

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Add(new RoundTrip("BEGIN", []));
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add(new RoundTrip("COMMIT", []));
        return Task.CompletedTask;
    }

    private void Record(DbCommand command) =>
        Add(new RoundTrip(command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => new Parameter(p.ParameterName, p.Value))]));

    private void Add(RoundTrip step)
    {
        if (Recording)
        {
            _steps.Enqueue(step);
        }
    }

    /// <summary>One round trip's SQL and its parameter values.</summary>
    public sealed record RoundTrip(string Sql, IReadOnlyList<Parameter> Parameters);

    /// <summary>A parameter as it was sent.</summary>
    public sealed record Parameter(string Name, object? Value);
}
