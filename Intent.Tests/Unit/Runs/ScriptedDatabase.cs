using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Intent.Tests.Unit.Runs;

/// <summary>
/// Stands in for PostgreSQL behind a real <c>IntentDbContext</c> (Npgsql provider, real model): no
/// connection is ever opened; each command is recorded, writes report one row changed, and the
/// queries the saga makes (is there a snapshot with this key? does anyone listen for this webhook event?)
/// are answered from <see cref="Snapshot"/> and <see cref="SubscribedToWebhooks"/>.
/// Any other query fails the test, so a saga that starts reading something else is noticed.
/// </summary>
public sealed class ScriptedDatabase : DbCommandInterceptor, IDbConnectionInterceptor
{
    private readonly ConcurrentQueue<ExecutedCommand> _commands = new();

    /// <summary>The committed snapshot (candidates, results) any run's key finds, or null for none.</summary>
    public (long CandidateCount, long ResultCount)? Snapshot { get; set; }

    /// <summary>Whether every run's organization has an enabled webhook for every event type.</summary>
    public bool SubscribedToWebhooks { get; set; }

    public IReadOnlyList<ExecutedCommand> Commands => [.. _commands];

    public InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        InterceptionResult.Suppress();

    public ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default) => ValueTask.FromResult(InterceptionResult.Suppress());

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        InterceptionResult<DbDataReader>.SuppressWithResult(Answer(command));

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(InterceptionResult<DbDataReader>.SuppressWithResult(Answer(command)));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        InterceptionResult<int>.SuppressWithResult(Write(command));

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(InterceptionResult<int>.SuppressWithResult(Write(command)));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        throw Unexpected(command);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default) => throw Unexpected(command);

    private DataTableReader Answer(DbCommand command)
    {
        Record(command);

        // Whether the run's organization listens for a webhook event (EXISTS over webhooks): per SubscribedToWebhooks.
        if (command.CommandText.Contains("FROM webhooks", StringComparison.Ordinal))
        {
            var subscribed = new DataTable();
            subscribed.Columns.Add("Value", typeof(bool));
            subscribed.Rows.Add(SubscribedToWebhooks);
            return subscribed.CreateDataReader();
        }

        if (!command.CommandText.Contains("FROM audience_snapshots", StringComparison.Ordinal))
        {
            throw Unexpected(command);
        }

        // The saga asks for the counts as one array (ARRAY[candidate_count, result_count] AS "Value").
        var table = new DataTable();
        table.Columns.Add("Value", typeof(long[]));
        if (Snapshot is { } snapshot)
        {
            table.Rows.Add(new[] { snapshot.CandidateCount, snapshot.ResultCount });
        }

        return table.CreateDataReader();
    }

    private int Write(DbCommand command)
    {
        Record(command);
        return 1;
    }

    private void Record(DbCommand command) =>
        _commands.Enqueue(new ExecutedCommand(command.CommandText,
            command.Parameters.Cast<DbParameter>().ToDictionary(p => p.ParameterName, p => p.Value)));

    private static InvalidOperationException Unexpected(DbCommand command) =>
        new($"The scripted database has no answer for: {command.CommandText}");
}
