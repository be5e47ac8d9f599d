using Microsoft.EntityFrameworkCore.Migrations;

namespace Intent.Messaging.Configuration;

/// <summary>Schema objects of the outbox that EF Core's model cannot express.</summary>
public static class PostgresOutboxMigrationBuilderExtensions
{
    /// <summary>
    /// Creates the trigger that, when a transaction that wrote outbox rows commits, notifies every
    /// listening delivery service (<c>NOTIFY</c> is delivered at commit and folded per transaction).
    /// </summary>
    public static MigrationBuilder CreateOutboxNotifyTrigger(this MigrationBuilder migrationBuilder, string? schema = null)
    {
        var prefix = schema is null ? "" : $"\"{schema}\".";
        var channel = OutboxTableNames.ChannelFor(schema, OutboxTableNames.StateTable).Replace("'", "''", StringComparison.Ordinal);
        migrationBuilder.Sql($"""
            CREATE FUNCTION {prefix}outbox_state_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{channel}', '');
                RETURN NULL;
            END $$;

            CREATE TRIGGER outbox_state_notify AFTER INSERT ON {prefix}"{OutboxTableNames.StateTable}"
                FOR EACH STATEMENT EXECUTE FUNCTION {prefix}outbox_state_notify();
            """);
        return migrationBuilder;
    }

    /// <summary>Drops what <see cref="CreateOutboxNotifyTrigger"/> created.</summary>
    public static MigrationBuilder DropOutboxNotifyTrigger(this MigrationBuilder migrationBuilder, string? schema = null)
    {
        var prefix = schema is null ? "" : $"\"{schema}\".";
        migrationBuilder.Sql($"""
            DROP TRIGGER IF EXISTS outbox_state_notify ON {prefix}"{OutboxTableNames.StateTable}";
            DROP FUNCTION IF EXISTS {prefix}outbox_state_notify();
            """);
        return migrationBuilder;
    }
}
