using System.Diagnostics;
using MassTransit;
using MassTransit.Logging;
using MassTransit.Context;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Intent.Messaging.Outbox;

/// <summary>
/// A message waiting in the outbox: everything needed to hand it to the broker later exactly as it
/// was sent (message id, headers, content type, destination, serialized body).
/// </summary>
public sealed class OutboxMessage : OutboxMessageContext
{
    private static long _published;
    private Headers? _headers;
    private IReadOnlyDictionary<string, object>? _properties;

    /// <summary>Order of capture in this process (not stored): bulk copy writes rows in it.</summary>
    internal long CaptureOrder { get; private init; }

    /// <summary>Commit order; delivery within one outbox follows it.</summary>
    public long SequenceNumber { get; set; }

    /// <summary>The outbox (one committing scope) the message belongs to.</summary>
    public Guid OutboxId { get; set; }

    public Guid MessageId { get; set; }

    public string ContentType { get; set; } = "";

    public string MessageType { get; set; } = "";

    public string Body { get; set; } = "";

    /// <summary>Headers as serialized JSON.</summary>
    public string? Headers { get; set; }

    /// <summary>Transport properties (routing key, ...) as serialized JSON.</summary>
    public string? Properties { get; set; }

    public Guid? ConversationId { get; set; }

    public Guid? CorrelationId { get; set; }

    public Guid? InitiatorId { get; set; }

    public Guid? RequestId { get; set; }

    public Uri? SourceAddress { get; set; }

    public Uri? DestinationAddress { get; set; }

    public Uri? ResponseAddress { get; set; }

    public Uri? FaultAddress { get; set; }

    public DateTime SentTime { get; set; }

    public DateTime? ExpirationTime { get; set; }

    Guid? MessageContext.MessageId => MessageId;

    DateTime? MessageContext.SentTime => SentTime;

    Headers MessageContext.Headers => _headers ?? EmptyHeaders.Instance;

    HostInfo MessageContext.Host => HostMetadataCache.Host;

    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties =>
        _properties ?? new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Restores headers and properties from their stored JSON before the message is sent on.</summary>
    public void Deserialize(IObjectDeserializer deserializer)
    {
        var headers = deserializer.DeserializeDictionary<object?>(Headers);
        _headers = headers is null ? EmptyHeaders.Instance : new DictionarySendHeaders(headers);
        _properties = deserializer.DeserializeDictionary<object>(Properties);
    }

    /// <summary>Captures a message at the moment it is sent into the outbox.</summary>
    public static OutboxMessage From<T>(SendContext<T> context, Guid outboxId)
        where T : class
    {
        var messageId = context.MessageId
            ?? throw new MessageException(typeof(T), "A message needs a MessageId to go through the outbox.");
        var now = DateTime.UtcNow;
        var serializer = SystemTextJsonMessageSerializer.Instance;

        // MassTransit writes the trace context only from a span it records; when spans are not recorded (nothing
        // exports them), the sender's context still travels, so the consumer's work stays in the sender's trace.
        if (!context.Headers.TryGetHeader(DiagnosticHeaders.ActivityId, out _) && Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            context.Headers.Set(DiagnosticHeaders.ActivityId, current.Id);
        }

        var message = new OutboxMessage
        {
            CaptureOrder = Interlocked.Increment(ref _published),
            OutboxId = outboxId,
            MessageId = messageId,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = context.DestinationAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = context.SentTime?.ToUniversalTime() ?? now,
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            Body = context.Serializer.GetMessageBody(context).GetString(),
            Headers = serializer.SerializeDictionary(context.Headers.GetAll()),
        };

        if (context.TimeToLive.HasValue)
        {
            message.ExpirationTime = now + context.TimeToLive.Value;
        }

        if (context is TransportSendContext<T> transportContext)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transportContext.WritePropertiesTo(properties);
            message.Properties = serializer.SerializeDictionary(properties);
        }

        return message;
    }
}
