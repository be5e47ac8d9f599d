using Intent.Messaging.Inbox;
using Intent.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Intent.Messaging.Configuration;

/// <summary>Maps the outbox and inbox tables into an application's DbContext (and so its migrations).</summary>
public static class PostgresOutboxModelBuilderExtensions
{
    /// <summary>
    /// Adds <c>outbox_message</c>, <c>outbox_state</c> and <c>inbox_state</c>. Relays are woken after each
    /// commit by <see cref="Relay.OutboxCommitInterceptor"/>, which <c>AddPostgresOutbox</c> adds to the context.
    /// </summary>
    public static ModelBuilder AddPostgresOutboxEntities(this ModelBuilder modelBuilder, string? schema = null)
    {
        modelBuilder.Entity<OutboxMessage>(message =>
        {
            message.ToTable(OutboxTableNames.MessageTable, schema);
            message.HasKey(m => m.SequenceNumber);
            message.Property(m => m.SequenceNumber).HasColumnName("sequence_number").UseIdentityAlwaysColumn();
            message.Property(m => m.OutboxId).HasColumnName("outbox_id");
            message.Property(m => m.MessageId).HasColumnName("message_id");
            message.Property(m => m.ContentType).HasColumnName("content_type").HasMaxLength(256);
            message.Property(m => m.MessageType).HasColumnName("message_type");
            message.Property(m => m.Body).HasColumnName("body");
            message.Property(m => m.Headers).HasColumnName("headers");
            message.Property(m => m.Properties).HasColumnName("properties");
            message.Property(m => m.ConversationId).HasColumnName("conversation_id");
            message.Property(m => m.CorrelationId).HasColumnName("correlation_id");
            message.Property(m => m.InitiatorId).HasColumnName("initiator_id");
            message.Property(m => m.RequestId).HasColumnName("request_id");
            message.Property(m => m.SourceAddress).HasColumnName("source_address");
            message.Property(m => m.DestinationAddress).HasColumnName("destination_address");
            message.Property(m => m.ResponseAddress).HasColumnName("response_address");
            message.Property(m => m.FaultAddress).HasColumnName("fault_address");
            message.Property(m => m.SentTime).HasColumnName("sent_time");
            message.Property(m => m.ExpirationTime).HasColumnName("expiration_time");
            message.HasIndex(m => new { m.OutboxId, m.SequenceNumber });
        });

        modelBuilder.Entity<OutboxState>(state =>
        {
            state.ToTable(OutboxTableNames.StateTable, schema);
            state.HasKey(s => s.OutboxId);
            state.Property(s => s.OutboxId).HasColumnName("outbox_id");
            state.Property(s => s.Created).HasColumnName("created");
            state.HasIndex(s => s.Created);
        });

        modelBuilder.Entity<InboxState>(inbox =>
        {
            inbox.ToTable(OutboxTableNames.InboxTable, schema);
            inbox.HasKey(i => new { i.MessageId, i.ConsumerId });
            inbox.Property(i => i.MessageId).HasColumnName("message_id");
            inbox.Property(i => i.ConsumerId).HasColumnName("consumer_id");
            inbox.Property(i => i.Received).HasColumnName("received");
            inbox.Property(i => i.ReceiveCount).HasColumnName("receive_count");
            inbox.Property(i => i.Consumed).HasColumnName("consumed");
            inbox.HasIndex(i => i.Received);
        });

        return modelBuilder;
    }
}
