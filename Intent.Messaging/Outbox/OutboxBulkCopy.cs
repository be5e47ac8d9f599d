using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Messaging.Outbox;

/// <summary>
/// For a scope that publishes thousands of messages in one commit: writes the outbox rows its
/// DbContext tracks (new outbox states, then messages in the order they were published) with
/// PostgreSQL's binary COPY, in the context's transaction, instead of one INSERT per row, and stops
/// tracking them. Delivery is unchanged: the rows are the same, committed with the caller's changes.
/// </summary>
public static class OutboxBulkCopy
{
    private const string MessageColumns =
        "outbox_id, message_id, content_type, message_type, body, headers, properties, conversation_id, correlation_id, initiator_id, " +
        "request_id, source_address, destination_address, response_address, fault_address, sent_time, expiration_time";

    /// <summary>Copies the pending outbox rows; returns how many messages were written. Needs an explicit transaction.</summary>
    public static async Task<int> CopyPendingOutboxAsync(this DbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Copying outbox rows needs the caller's transaction: call BeginTransaction first.");
        }

        var states = db.ChangeTracker.Entries<OutboxState>().Where(e => e.State == EntityState.Added).ToList();
        var messages = db.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).ToList();
        if (states.Count == 0 && messages.Count == 0)
        {
            return 0;
        }

        var tables = OutboxTableNames.FromModel(db.Model);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        Relay.OutboxCommitInterceptor.MarkWritten(db);

        await using (var state = await connection.BeginBinaryImportAsync($"COPY {tables.State} (outbox_id, created) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var entry in states)
            {
                await state.StartRowAsync(cancellationToken);
                await state.WriteAsync(entry.Entity.OutboxId, NpgsqlDbType.Uuid, cancellationToken);
                await state.WriteAsync(entry.Entity.Created, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await state.CompleteAsync(cancellationToken);
        }

        // Rows are numbered (sequence_number) in the order they are copied: the order of publishing.
        await using (var rows = await connection.BeginBinaryImportAsync($"COPY {tables.Message} ({MessageColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var m in messages.Select(e => e.Entity).OrderBy(m => m.CaptureOrder))
            {
                await rows.StartRowAsync(cancellationToken);
                await rows.WriteAsync(m.OutboxId, NpgsqlDbType.Uuid, cancellationToken);
                await rows.WriteAsync(m.MessageId, NpgsqlDbType.Uuid, cancellationToken);
                await rows.WriteAsync(m.ContentType, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(m.MessageType, NpgsqlDbType.Text, cancellationToken);
                await rows.WriteAsync(m.Body, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(rows, m.Headers, cancellationToken);
                await WriteAsync(rows, m.Properties, cancellationToken);
                await WriteAsync(rows, m.ConversationId, cancellationToken);
                await WriteAsync(rows, m.CorrelationId, cancellationToken);
                await WriteAsync(rows, m.InitiatorId, cancellationToken);
                await WriteAsync(rows, m.RequestId, cancellationToken);
                await WriteAsync(rows, m.SourceAddress?.ToString(), cancellationToken);
                await WriteAsync(rows, m.DestinationAddress?.ToString(), cancellationToken);
                await WriteAsync(rows, m.ResponseAddress?.ToString(), cancellationToken);
                await WriteAsync(rows, m.FaultAddress?.ToString(), cancellationToken);
                await rows.WriteAsync(m.SentTime, NpgsqlDbType.TimestampTz, cancellationToken);
                if (m.ExpirationTime is { } expires)
                {
                    await rows.WriteAsync(expires, NpgsqlDbType.TimestampTz, cancellationToken);
                }
                else
                {
                    await rows.WriteNullAsync(cancellationToken);
                }
            }

            await rows.CompleteAsync(cancellationToken);
        }

        foreach (var entry in states.Cast<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry>().Concat(messages))
        {
            entry.State = EntityState.Detached;
        }

        return messages.Count;
    }

    private static Task WriteAsync(NpgsqlBinaryImporter rows, string? value, CancellationToken cancellationToken) =>
        value is null ? rows.WriteNullAsync(cancellationToken) : rows.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter rows, Guid? value, CancellationToken cancellationToken) =>
        value is { } id ? rows.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken) : rows.WriteNullAsync(cancellationToken);
}
