using Intent.Messaging.Inbox;
using Intent.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Intent.Messaging.Configuration;

/// <summary>The quoted, schema-qualified names the raw SQL of the outbox uses, read from the EF model.</summary>
public sealed record OutboxTableNames(string Message, string State, string Inbox, string Channel)
{
    public const string MessageTable = "outbox_message";
    public const string StateTable = "outbox_state";
    public const string InboxTable = "inbox_state";

    public static OutboxTableNames FromModel(IModel model)
    {
        var state = Entity<OutboxState>(model);
        return new OutboxTableNames(
            Qualified(Entity<OutboxMessage>(model)),
            Qualified(state),
            Qualified(Entity<InboxState>(model)),
            ChannelFor(state.GetSchema(), state.GetTableName()!));
    }

    /// <summary>The LISTEN/NOTIFY channel that announces new outbox rows in one schema.</summary>
    public static string ChannelFor(string? schema, string stateTable) => $"outbox:{schema ?? "public"}.{stateTable}";

    private static IEntityType Entity<T>(IModel model) =>
        model.FindEntityType(typeof(T))
        ?? throw new InvalidOperationException(
            $"{typeof(T).Name} is not in the DbContext model; call modelBuilder.AddPostgresOutboxEntities() in OnModelCreating.");

    private static string Qualified(IEntityType entity) =>
        entity.GetSchema() is { } schema ? $"\"{schema}\".\"{entity.GetTableName()}\"" : $"\"{entity.GetTableName()}\"";
}
