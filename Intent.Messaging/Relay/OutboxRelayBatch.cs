using System.Collections.Concurrent;
using System.Data;
using Intent.Messaging.Configuration;
using Intent.Messaging.Diagnostics;
using Intent.Messaging.Outbox;
using MassTransit;
using MassTransit.Logging;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Intent.Messaging.Relay;

/// <summary>
/// One relay transaction: claim up to a batch of outboxes no other process holds
/// (<c>FOR UPDATE SKIP LOCKED</c>), send their messages (in order within each outbox, outboxes
/// side by side), delete what the broker accepted, commit. Each send continues the trace of the code
/// that wrote the message (its stored <c>MT-Activity-Id</c> header), however late it is relayed.
/// Stopping does not cancel a send on its way: sends not started yet are left for later, the ones
/// started finish (each within <see cref="PostgresOutboxOptions.SendTimeout"/>) and are deleted, so a
/// stop neither faults sends nor sends anything twice. Only <c>abandon</c> cuts them short.
/// </summary>
public sealed class OutboxRelayBatch(
    NpgsqlDataSource dataSource,
    OutboxTableNames tables,
    IBus bus,
    PostgresOutboxOptions options,
    IEnumerable<IOutboxRelayObserver> observers,
    ILogger logger,
    OutboxMetrics? metrics = null)
{
    private readonly IOutboxRelayObserver[] _observers = observers.ToArray();

    /// <summary>Outboxes claimed, messages delivered, and whether any send failed.</summary>
    public readonly record struct Result(int Claimed, int Delivered, bool Failed);

    /// <summary>One batch; <paramref name="stopping"/> ends claiming and starting sends, <paramref name="abandon"/> anything in flight.</summary>
    public async Task<Result> RunAsync(CancellationToken stopping, CancellationToken abandon)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stopping);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, stopping);

        var (claimed, messages) = await ClaimAsync(connection, transaction, stopping);
        if (claimed.Count == 0)
        {
            return new Result(0, 0, false);
        }

        metrics?.BatchClaimed(messages.Count);
        var (sent, failed) = await SendAsync(messages, stopping, abandon);

        foreach (var observer in _observers)
        {
            await observer.BatchSent(sent, abandon);
        }

        await using (var delete = new NpgsqlCommand(
            $"""
            DELETE FROM {tables.Message} WHERE sequence_number = ANY(@sent);
            DELETE FROM {tables.State} s WHERE s.outbox_id = ANY(@claimed)
                AND NOT EXISTS (SELECT 1 FROM {tables.Message} m WHERE m.outbox_id = s.outbox_id);
            """,
            connection,
            transaction))
        {
            delete.Parameters.AddWithValue("sent", sent.Select(m => m.SequenceNumber).ToArray());
            delete.Parameters.AddWithValue("claimed", claimed.ToArray());
            await delete.ExecuteNonQueryAsync(abandon);
        }

        await transaction.CommitAsync(abandon);
        return new Result(claimed.Count, sent.Count, failed);
    }

    private async Task<(List<Guid> Claimed, List<OutboxMessage> Messages)> ClaimAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            WITH claimed AS (
                SELECT outbox_id FROM {tables.State} ORDER BY created LIMIT @batch FOR UPDATE SKIP LOCKED
            )
            SELECT c.outbox_id, m.sequence_number, m.message_id, m.content_type, m.message_type, m.body, m.headers,
                   m.properties, m.conversation_id, m.correlation_id, m.initiator_id, m.request_id, m.source_address,
                   m.destination_address, m.response_address, m.fault_address, m.sent_time, m.expiration_time
            FROM claimed c LEFT JOIN {tables.Message} m ON m.outbox_id = c.outbox_id
            ORDER BY m.sequence_number NULLS FIRST
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("batch", options.RelayBatchSize);

        var claimed = new HashSet<Guid>();
        var messages = new List<OutboxMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var outboxId = reader.GetGuid(0);
            claimed.Add(outboxId);
            if (reader.IsDBNull(1))
            {
                continue;
            }

            messages.Add(new OutboxMessage
            {
                OutboxId = outboxId,
                SequenceNumber = reader.GetInt64(1),
                MessageId = reader.GetGuid(2),
                ContentType = reader.GetString(3),
                MessageType = reader.GetString(4),
                Body = reader.GetString(5),
                Headers = NullableString(reader, 6),
                Properties = NullableString(reader, 7),
                ConversationId = NullableGuid(reader, 8),
                CorrelationId = NullableGuid(reader, 9),
                InitiatorId = NullableGuid(reader, 10),
                RequestId = NullableGuid(reader, 11),
                SourceAddress = NullableUri(reader, 12),
                DestinationAddress = NullableUri(reader, 13),
                ResponseAddress = NullableUri(reader, 14),
                FaultAddress = NullableUri(reader, 15),
                SentTime = reader.GetDateTime(16),
                ExpirationTime = reader.IsDBNull(17) ? null : reader.GetDateTime(17),
            });
        }

        return (claimed.ToList(), messages);
    }

    private async Task<(List<OutboxMessage> Sent, bool Failed)> SendAsync(List<OutboxMessage> messages, CancellationToken stopping, CancellationToken abandon)
    {
        var sent = new ConcurrentBag<OutboxMessage>();
        var failed = 0;
        var outboxes = messages.GroupBy(m => m.OutboxId).ToList();

        await Parallel.ForEachAsync(
            outboxes,
            new ParallelOptions { MaxDegreeOfParallelism = options.RelayParallelism, CancellationToken = abandon },
            async (outbox, token) =>
            {
                foreach (var message in outbox)
                {
                    if (stopping.IsCancellationRequested)
                    {
                        // The rest of this outbox stays, in order, for whichever relay runs next.
                        break;
                    }

                    try
                    {
                        if (await SendOneAsync(message, token))
                        {
                            metrics?.Delivered(message.DestinationAddress);
                        }

                        sent.Add(message);
                    }
                    catch (Exception exception) when (!token.IsCancellationRequested)
                    {
                        // The rest of this outbox waits, in order, for the next attempt.
                        Interlocked.Exchange(ref failed, 1);
                        metrics?.DeliveryFailed(message.DestinationAddress, exception);
                        logger.LogWarning(exception, "Outbox message {MessageId} (outbox {OutboxId}) could not be sent; it stays for the next attempt",
                            message.MessageId, message.OutboxId);
                        break;
                    }
                }
            });

        return (sent.OrderBy(m => m.SequenceNumber).ToList(), failed == 1);
    }

    /// <summary>Sends one message; false when it was discarded instead (no destination, expired).</summary>
    private async Task<bool> SendOneAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        if (message.DestinationAddress is null)
        {
            logger.LogWarning("Outbox message {MessageId} has no destination and is discarded", message.MessageId);
            return false;
        }

        if (message.ExpirationTime < DateTime.UtcNow)
        {
            logger.LogWarning("Outbox message {MessageId} expired at {ExpirationTime} before delivery and is discarded",
                message.MessageId, message.ExpirationTime);
            return false;
        }

        message.Deserialize(SystemTextJsonMessageSerializer.Instance);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.SendTimeout);

        var endpoint = await bus.GetSendEndpoint(message.DestinationAddress);

        // As MassTransit's own outbox delivery does: an "outbox process" span whose parent is the span that
        // wrote the message (read from its stored headers), so the broker send and the consumer join that trace.
        var activity = LogContext.Current?.StartOutboxDeliverActivity(message);
        var instrument = LogContext.Current?.StartOutboxDeliveryInstrument(message);
        try
        {
            await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, message.DestinationAddress), timeout.Token);
        }
        catch (Exception exception)
        {
            activity?.AddExceptionEvent(exception);
            instrument?.AddException(exception);
            throw;
        }
        finally
        {
            activity?.Stop();
            instrument?.Stop();
        }

        return true;
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static Guid? NullableGuid(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    private static Uri? NullableUri(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new Uri(reader.GetString(ordinal));
}
