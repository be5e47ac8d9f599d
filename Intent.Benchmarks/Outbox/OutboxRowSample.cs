using Npgsql;

namespace Intent.Benchmarks.Outbox;

/// <summary>One outbox row as the bus outbox writes it, reused by the ceilings so they move the same bytes.</summary>
public sealed record OutboxRowSample(string ContentType, string MessageType, string Body, string? Headers, string DestinationAddress)
{
    /// <summary>
    /// The outbox state and message rows of one message as one batch (one round trip; without a
    /// transaction PostgreSQL runs it as one implicit transaction).
    /// </summary>
    public NpgsqlBatch Insert(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid messageId)
    {
        var outboxId = Guid.NewGuid();
        return new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("INSERT INTO outbox_state (outbox_id, created) VALUES ($1, now())")
                {
                    Parameters = { new NpgsqlParameter { Value = outboxId } },
                },
                new NpgsqlBatchCommand(
                    "INSERT INTO outbox_message (outbox_id, message_id, content_type, message_type, body, headers, destination_address, sent_time) " +
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, now())")
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = outboxId },
                        new NpgsqlParameter { Value = messageId },
                        new NpgsqlParameter { Value = ContentType },
                        new NpgsqlParameter { Value = MessageType },
                        new NpgsqlParameter { Value = Body },
                        new NpgsqlParameter { Value = (object?)Headers ?? DBNull.Value },
                        new NpgsqlParameter { Value = DestinationAddress },
                    },
                },
            },
        };
    }
}
