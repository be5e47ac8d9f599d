using Intent.Messaging.Configuration;
using Npgsql;

namespace Intent.Messaging.Inbox;

/// <summary>The inbox rows of one consume transaction, read and written with explicit row locks.</summary>
public sealed class InboxStore(NpgsqlConnection connection, NpgsqlTransaction transaction, OutboxTableNames tables)
{
    /// <summary>
    /// Records the delivery and locks the inbox row until commit, so a concurrent duplicate waits
    /// and then sees whether this one consumed it. One statement, no serialization failures. A first
    /// delivery's row is written already marked consumed: the mark commits with the consumer's work or
    /// not at all, which saves marking it in a statement of its own.
    /// </summary>
    public async Task<InboxReceipt> ReceiveAsync(Guid messageId, Guid consumerId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {tables.Inbox} AS i (message_id, consumer_id, received, receive_count, consumed)
            VALUES (@message_id, @consumer_id, now(), 1, now())
            ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = i.receive_count + 1
            RETURNING i.receive_count, i.consumed, i.xmax = 0
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("message_id", messageId);
        command.Parameters.AddWithValue("consumer_id", consumerId);

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        DateTime? consumed = reader.IsDBNull(1) ? null : reader.GetDateTime(1);
        return reader.GetBoolean(2)
            ? new InboxReceipt(messageId, reader.GetInt32(0), consumed: null) { ConsumedOnCommit = consumed }
            : new InboxReceipt(messageId, reader.GetInt32(0), consumed);
    }

    /// <summary>
    /// <see cref="ReceiveAsync"/> for the messages of a batch, in one statement: their rows are written (or
    /// counted again) and locked in message id order, so batches sharing messages wait for one another
    /// instead of deadlocking. One receipt per distinct message id.
    /// </summary>
    public async Task<IReadOnlyList<InboxReceipt>> ReceiveManyAsync(IReadOnlyCollection<Guid> messageIds, Guid consumerId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {tables.Inbox} AS i (message_id, consumer_id, received, receive_count, consumed)
            SELECT DISTINCT id, @consumer_id, now(), 1, now() FROM unnest(@message_ids) AS ids(id) ORDER BY id
            ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = i.receive_count + 1
            RETURNING i.message_id, i.receive_count, i.consumed, i.xmax = 0
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("message_ids", messageIds.ToArray());
        command.Parameters.AddWithValue("consumer_id", consumerId);

        var receipts = new List<InboxReceipt>(messageIds.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            DateTime? consumed = reader.IsDBNull(2) ? null : reader.GetDateTime(2);
            receipts.Add(reader.GetBoolean(3)
                ? new InboxReceipt(reader.GetGuid(0), reader.GetInt32(1), consumed: null) { ConsumedOnCommit = consumed }
                : new InboxReceipt(reader.GetGuid(0), reader.GetInt32(1), consumed));
        }

        return receipts;
    }

    /// <summary>Marks rows that were received before without being marked (written by an earlier version).</summary>
    public async Task MarkConsumedAsync(IReadOnlyCollection<Guid> messageIds, Guid consumerId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"UPDATE {tables.Inbox} SET consumed = now() WHERE message_id = ANY(@message_ids) AND consumer_id = @consumer_id",
            connection,
            transaction);
        command.Parameters.AddWithValue("message_ids", messageIds.ToArray());
        command.Parameters.AddWithValue("consumer_id", consumerId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Marks a row that was received before without being marked (written by an earlier version).</summary>
    public async Task<DateTime> MarkConsumedAsync(Guid messageId, Guid consumerId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"UPDATE {tables.Inbox} SET consumed = now() WHERE message_id = @message_id AND consumer_id = @consumer_id RETURNING consumed",
            connection,
            transaction);
        command.Parameters.AddWithValue("message_id", messageId);
        command.Parameters.AddWithValue("consumer_id", consumerId);
        return (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
