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
    public static int AddPendingOutbox(this DbContext db, NpgsqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(batch);
        var statements = ByModel.GetValue(db.Model, model => new Statements(OutboxTableNames.FromModel(model)));
        var states = db.ChangeTracker.Entries<OutboxState>().Where(e => e.State == EntityState.Added).ToList();
        var messages = db.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).ToList();

        foreach (var state in states.Select(e => e.Entity))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statements.State)
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid> { TypedValue = state.OutboxId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new NpgsqlParameter<DateTime> { TypedValue = state.Created, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                },
            });
        }

        // Rows are numbered (sequence_number) in the order they are inserted: the order of publishing.
        foreach (var m in messages.Select(e => e.Entity).OrderBy(m => m.CaptureOrder))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statements.Message)
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
            });
        }

        foreach (var entry in states.Cast<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry>().Concat(messages))
        {
            entry.State = EntityState.Detached;
        }

        return messages.Count;
    }

    private static NpgsqlParameter Text(string? value, NpgsqlDbType type = NpgsqlDbType.Text) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = type };

    private static NpgsqlParameter Id(Guid? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private sealed class Statements(OutboxTableNames tables)
    {
        public string State { get; } = $"INSERT INTO {tables.State} (outbox_id, created) VALUES ($1, $2)";

        public string Message { get; } =
            $"INSERT INTO {tables.Message} (outbox_id, message_id, content_type, message_type, body, headers, properties, conversation_id, correlation_id, " +
            "initiator_id, request_id, source_address, destination_address, response_address, fault_address, sent_time, expiration_time) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
    }
}
