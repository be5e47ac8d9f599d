using System.Text;
using System.Text.RegularExpressions;
using Intent.Messaging.Configuration;
using Intent.Messaging.Relay;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Messaging.Outbox;

/// <summary>
/// Outbox rows for many messages of one type, written by one set-based statement inside PostgreSQL,
/// equal to what publishing each message through the bus outbox writes. One prototype is published
/// through the scope's bus outbox and captured instead of stored: MassTransit serializes it (envelope,
/// message type, headers, host, transport properties) and the template keeps that text around the
/// values that differ per message: the message id and the conversation id, new ones for each row as
/// MassTransit makes them for a publish outside a consumer (its <see cref="NewId"/>s), and the prototype's
/// <see cref="OutboxTemplateColumns"/> placeholders (uuid, bigint and text properties), taken from the statement's rows. The rest (sent
/// time, trace context) is the prototype's, shared by the messages of one statement. Each message is an
/// outbox of its own, as if each had been published in a transaction of its own: nothing orders them,
/// so relays send them side by side instead of one after another. Once the context's transaction
/// commits, the relays are woken as after any outbox write.
/// </summary>
public sealed partial class OutboxMessageTemplate
{
    private const string Prefix = "outbox_template_";
    private const string MessageIdColumn = "m." + Prefix + "message_id";
    private const string ConversationIdColumn = "m." + Prefix + "conversation_id";
    private const string OutboxIdColumn = "m." + Prefix + "outbox_id";
    private const string RowColumn = Prefix + "row";

    private const string Columns =
        "outbox_id, message_id, content_type, message_type, body, headers, properties, conversation_id, correlation_id, initiator_id, " +
        "request_id, source_address, destination_address, response_address, fault_address, sent_time, expiration_time";

    private readonly OutboxTableNames _tables;
    private readonly List<NpgsqlParameter> _parameters = [];
    private readonly Dictionary<Guid, string> _perRow = [];
    private readonly Dictionary<string, string> _inBody = [];
    private readonly string _outboxIds;
    private readonly string _messageIds;
    private readonly string _conversationIds;
    private readonly string _values;

    private OutboxMessageTemplate(OutboxTableNames tables, OutboxMessage prototype, OutboxTemplateColumns columns, int capacity)
    {
        _tables = tables;
        _outboxIds = Constant(NewIds(capacity), NpgsqlDbType.Array | NpgsqlDbType.Uuid);
        _messageIds = Constant(NewIds(capacity), NpgsqlDbType.Array | NpgsqlDbType.Uuid);
        _conversationIds = Constant(NewIds(capacity), NpgsqlDbType.Array | NpgsqlDbType.Uuid);
        _perRow[prototype.MessageId] = MessageIdColumn;
        if (prototype.ConversationId is { } conversation)
        {
            _perRow[conversation] = ConversationIdColumn;
        }

        foreach (var (placeholder, column) in columns.Placeholders)
        {
            _perRow[placeholder] = "m." + column;
        }

        foreach (var (id, column) in _perRow)
        {
            _inBody[Text(id)] = column + "::text";
        }

        foreach (var (text, sql) in columns.Values)
        {
            _inBody[text] = sql;
        }

        var required = columns.Placeholders.Keys.Append(prototype.MessageId).Select(Text).Concat(columns.Values.Keys);
        var missing = required.Where(text => !prototype.Body.Contains(text, StringComparison.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The serialized {prototype.MessageType} does not show the value{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} as text; " +
                "a template can only fill properties the serializer writes as they are.");
        }

        foreach (var (name, text) in new[]
                 {
                     ("headers", prototype.Headers), ("properties", prototype.Properties), ("source address", prototype.SourceAddress?.ToString()),
                     ("destination address", prototype.DestinationAddress?.ToString()), ("response address", prototype.ResponseAddress?.ToString()),
                     ("fault address", prototype.FaultAddress?.ToString()),
                 })
        {
            if (text is not null && _inBody.Keys.Any(value => text.Contains(value.Trim('"'), StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException($"The {name} of {prototype.MessageType} carry a per-message value; a template cannot write them.");
            }
        }

        _values = string.Join(", ",
            OutboxIdColumn,
            MessageIdColumn,
            Constant(prototype.ContentType, NpgsqlDbType.Varchar),
            Constant(prototype.MessageType, NpgsqlDbType.Text),
            Body(prototype.Body),
            Constant(prototype.Headers, NpgsqlDbType.Text),
            Constant(prototype.Properties, NpgsqlDbType.Text),
            Id(prototype.ConversationId),
            Id(prototype.CorrelationId),
            Id(prototype.InitiatorId),
            Id(prototype.RequestId),
            Constant(prototype.SourceAddress?.ToString(), NpgsqlDbType.Text),
            Constant(prototype.DestinationAddress?.ToString(), NpgsqlDbType.Text),
            Constant(prototype.ResponseAddress?.ToString(), NpgsqlDbType.Text),
            Constant(prototype.FaultAddress?.ToString(), NpgsqlDbType.Text),
            Constant(DateTime.SpecifyKind(prototype.SentTime, DateTimeKind.Utc), NpgsqlDbType.TimestampTz),
            Constant(prototype.ExpirationTime is { } expires ? DateTime.SpecifyKind(expires, DateTimeKind.Utc) : null, NpgsqlDbType.TimestampTz));
    }

    /// <summary>The parameters <see cref="Ctes"/> refers to; add them to the command that runs it.</summary>
    public IReadOnlyList<NpgsqlParameter> Parameters => _parameters;

    /// <summary>
    /// Publishes <paramref name="prototype"/> (built with placeholders from the columns it is given) through
    /// <paramref name="publisher"/>, the bus outbox of <paramref name="db"/>'s scope, and keeps what it would
    /// have stored as the template; nothing of the prototype is written. Call inside the transaction that
    /// will run the statement. <paramref name="capacity"/>: the most rows the statement's source can have
    /// (a statement with more fails).
    /// </summary>
    public static async Task<OutboxMessageTemplate> CaptureAsync<T>(
        DbContext db, IPublishEndpoint publisher, Func<OutboxTemplateColumns, T> prototype, int capacity, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("An outbox template is written in the caller's transaction: call BeginTransaction first.");
        }

        var columns = new OutboxTemplateColumns();
        var message = prototype(columns);
        var messages = db.ChangeTracker.Entries<OutboxMessage>().Select(e => e.Entity).ToHashSet();
        var states = db.ChangeTracker.Entries<OutboxState>().Select(e => e.Entity).ToHashSet();

        await publisher.Publish(message, cancellationToken);

        var captured = db.ChangeTracker.Entries<OutboxMessage>().Where(e => !messages.Contains(e.Entity)).ToList();
        if (captured is not [var entry])
        {
            throw new InvalidOperationException(
                $"Publishing {typeof(T).Name} stored no outbox row in {db.GetType().Name}: an outbox template needs the bus outbox of that context's scope.");
        }

        entry.State = EntityState.Detached;
        foreach (var state in db.ChangeTracker.Entries<OutboxState>().Where(e => !states.Contains(e.Entity)).ToList())
        {
            state.State = EntityState.Detached;
        }

        var template = new OutboxMessageTemplate(OutboxTableNames.FromModel(db.Model), entry.Entity, columns, capacity);
        OutboxCommitInterceptor.MarkWritten(db);
        return template;
    }

    /// <summary>
    /// Common table expressions that write the outbox rows of every row of <paramref name="source"/> (a
    /// table or an earlier expression of the same <c>WITH</c>, e.g. the <c>RETURNING</c> of an insert): one
    /// message and one outbox each.
    /// </summary>
    public string Ctes(string source)
    {
        if (!Identifier().IsMatch(source))
        {
            throw new ArgumentException($"'{source}' is not a plain lower-case name.", nameof(source));
        }

        return $"""
            {Prefix}rows AS (
                SELECT ({_outboxIds})[n.{RowColumn}] AS {Prefix}outbox_id, ({_messageIds})[n.{RowColumn}] AS {Prefix}message_id,
                       ({_conversationIds})[n.{RowColumn}] AS {Prefix}conversation_id, n.*
                FROM (SELECT row_number() OVER () AS {RowColumn}, s.* FROM {source} s) n
            ),
            {Prefix}state AS (
                INSERT INTO {_tables.State} (outbox_id, created)
                SELECT m.{Prefix}outbox_id, now() FROM {Prefix}rows m
            ),
            {Prefix}messages AS (
                INSERT INTO {_tables.Message} ({Columns})
                SELECT {_values}
                FROM {Prefix}rows m
                ORDER BY m.{RowColumn}
            )
            """;
    }

    private static string Text(Guid id) => id.ToString("D");

    private static Guid[] NewIds(int count)
    {
        var ids = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = NewId.NextGuid();
        }

        return ids;
    }

    /// <summary>The body as SQL: the prototype's text with each per-message value replaced by its column's.</summary>
    private string Body(string body)
    {
        var parts = new List<string>();
        var at = 0;
        while (true)
        {
            var next = _inBody
                .Select(p => (Index: body.IndexOf(p.Key, at, StringComparison.Ordinal), Text: p.Key, Sql: p.Value))
                .Where(p => p.Index >= 0)
                .OrderBy(p => p.Index)
                .FirstOrDefault();
            if (next.Sql is null)
            {
                parts.Add(Constant(body[at..], NpgsqlDbType.Text));
                break;
            }

            parts.Add(Constant(body[at..next.Index], NpgsqlDbType.Text));
            parts.Add(next.Sql);
            at = next.Index + next.Text.Length;
        }

        return new StringBuilder("(").AppendJoin(" || ", parts).Append(')').ToString();
    }

    private string Id(Guid? value) => value is { } id && _perRow.TryGetValue(id, out var column) ? column : Constant(value, NpgsqlDbType.Uuid);

    private string Constant(object? value, NpgsqlDbType type)
    {
        var parameter = new NpgsqlParameter($"{Prefix}{_parameters.Count}", type) { Value = value ?? DBNull.Value };
        _parameters.Add(parameter);
        return "@" + parameter.ParameterName;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
