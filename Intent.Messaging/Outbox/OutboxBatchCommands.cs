using System.Globalization;
using System.Runtime.CompilerServices;
using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Messaging.Outbox;

/// <summary>
/// For a hot path that writes its own rows with one <see cref="NpgsqlBatch"/> instead of <c>SaveChanges</c>:
/// the outbox rows its DbContext tracks (what was published or sent in the scope) become INSERT commands of
/// that batch, in publishing order, and are no longer tracked. A batch without a transaction runs as one
/// implicit transaction, so they commit with the caller's rows or not at all, in the same round trip. The rows
/// are the ones <c>SaveChanges</c> would write; once the batch has run, tell the relays with
/// <see cref="Relay.OutboxWakeUp.Committed(DbContext)"/>.
/// </summary>
public static class OutboxBatchCommands
{
    private static readonly ConditionalWeakTable<IModel, Statements> ByModel = [];

    /// <summary>Adds the pending outbox rows of <paramref name="db"/> to <paramref name="batch"/>; returns how many messages.</summary>
    public static int AddPendingOutbox(this DbContext db, NpgsqlBatch batch) => AddPendingOutbox(db, batch, null);

    /// <summary>
    /// As <see cref="AddPendingOutbox(DbContext, NpgsqlBatch)"/>, but every row is written only if <paramref name="onlyIf"/>
    /// holds when its statement runs: for a batch whose first statement may write nothing (an <c>INSERT ... SELECT</c>
    /// whose conditions failed), so that no message outlives the row it is about. The condition is a boolean SQL expression
    /// with one parameter, written <c>{0}</c> (e.g. <c>EXISTS (SELECT 1 FROM runs WHERE id = {0})</c>), and <paramref name="value"/>
    /// is its value. A condition text is kept for the process's life, so it must not vary per call.
    /// </summary>
    public static int AddPendingOutbox(this DbContext db, NpgsqlBatch batch, string onlyIf, NpgsqlParameter value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(onlyIf);
        ArgumentNullException.ThrowIfNull(value);
        return AddPendingOutbox(db, batch, (onlyIf, value));
    }

    private static int AddPendingOutbox(DbContext db, NpgsqlBatch batch, (string Sql, NpgsqlParameter Value)? onlyIf)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(batch);
        var statements = ByModel.GetValue(db.Model, model => new Statements(OutboxTableNames.FromModel(model)));
        var (stateSql, messageSql) = onlyIf is { Sql: var condition } ? statements.OnlyIf(condition) : (statements.State, statements.Message);
        var states = db.ChangeTracker.Entries<OutboxState>().Where(e => e.State == EntityState.Added).ToList();
        var messages = db.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).ToList();

        foreach (var state in states.Select(e => e.Entity))
        {
            var command = new NpgsqlBatchCommand(stateSql)
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid> { TypedValue = state.OutboxId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new NpgsqlParameter<DateTime> { TypedValue = state.Created, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                },
            };
            AddCondition(command, onlyIf);
            batch.BatchCommands.Add(command);
        }

        // Rows are numbered (sequence_number) in the order they are inserted: the order of publishing.
        foreach (var m in messages.Select(e => e.Entity).OrderBy(m => m.CaptureOrder))
        {
            var command = new NpgsqlBatchCommand(messageSql)
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid> { TypedValue = m.OutboxId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new NpgsqlParameter<Guid> { TypedValue = m.MessageId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    Text(m.ContentType, NpgsqlDbType.Varchar),
                    Text(m.MessageType),
                    Text(m.Body),
                    Text(m.Headers),
                    Text(m.Properties),
                    Id(m.ConversationId),
                    Id(m.CorrelationId),
                    Id(m.InitiatorId),
                    Id(m.RequestId),
                    Text(m.SourceAddress?.ToString()),
                    Text(m.DestinationAddress?.ToString()),
                    Text(m.ResponseAddress?.ToString()),
                    Text(m.FaultAddress?.ToString()),
                    new NpgsqlParameter<DateTime> { TypedValue = m.SentTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    new NpgsqlParameter { Value = (object?)m.ExpirationTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                },
            };
            AddCondition(command, onlyIf);
            batch.BatchCommands.Add(command);
        }

        foreach (var entry in states.Cast<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry>().Concat(messages))
        {
            entry.State = EntityState.Detached;
        }

        return messages.Count;
    }

    // Each command gets its own copy: a parameter belongs to one command.
    private static void AddCondition(NpgsqlBatchCommand command, (string Sql, NpgsqlParameter Value)? onlyIf)
    {
        if (onlyIf is { Value: var value })
        {
            command.Parameters.Add(value.Clone());
        }
    }

    private static NpgsqlParameter Text(string? value, NpgsqlDbType type = NpgsqlDbType.Text) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = type };

    private static NpgsqlParameter Id(Guid? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private sealed class Statements(OutboxTableNames tables)
    {
        private const string StateValues = "$1, $2";
        private const string MessageValues = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17";

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string State, string Message)> _conditional = new();

        public string State { get; } = $"{StateInsert(tables)} VALUES ({StateValues})";

        public string Message { get; } = $"{MessageInsert(tables)} VALUES ({MessageValues})";

        public (string State, string Message) OnlyIf(string condition) => _conditional.GetOrAdd(condition, c => (
            $"{StateInsert(tables)} SELECT {StateValues} WHERE {string.Format(CultureInfo.InvariantCulture, c, "$3")}",
            $"{MessageInsert(tables)} SELECT {MessageValues} WHERE {string.Format(CultureInfo.InvariantCulture, c, "$18")}"));

        private static string StateInsert(OutboxTableNames tables) => $"INSERT INTO {tables.State} (outbox_id, created)";

        private static string MessageInsert(OutboxTableNames tables) =>
            $"INSERT INTO {tables.Message} (outbox_id, message_id, content_type, message_type, body, headers, properties, conversation_id, correlation_id, " +
            "initiator_id, request_id, source_address, destination_address, response_address, fault_address, sent_time, expiration_time)";
    }
}
