using System.Globalization;

namespace Intent.Cli.Errors;

/// <summary>
/// The headers MassTransit adds to a message it moves to an error queue (<c>MT-Reason</c>, <c>MT-Fault-*</c>, <c>MT-Host-*</c>):
/// read to say why it failed, and taken off before the message goes back to its queue.
/// </summary>
public static class FaultHeaders
{
    public const string Reason = "MT-Reason";
    public const string ExceptionType = "MT-Fault-ExceptionType";
    public const string Message = "MT-Fault-Message";
    public const string MessageType = "MT-Fault-MessageType";
    public const string Timestamp = "MT-Fault-Timestamp";

    /// <summary>The longest reason shown; exception messages can carry whole SQL statements.</summary>
    public const int MaxReasonLength = 300;

    private const string FaultPrefix = "MT-Fault-";
    private const string HostPrefix = "MT-Host-";

    // Where the sender wants faults sent: set when the message was first sent, not by the failure.
    private const string FaultAddress = "MT-Fault-Address";

    private const string PublishSequenceNumber = "x-dotnet-pub-seq-no";

    // A replayed message starts over, with the endpoint's whole retry and redelivery policy.
    private const string RedeliveryCount = "MT-Redelivery-Count";

    public static bool IsFaultHeader(string name) =>
        name.Equals(Reason, StringComparison.OrdinalIgnoreCase)
        || name.Equals(RedeliveryCount, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith(HostPrefix, StringComparison.OrdinalIgnoreCase)
        || (name.StartsWith(FaultPrefix, StringComparison.OrdinalIgnoreCase) && !name.Equals(FaultAddress, StringComparison.OrdinalIgnoreCase));

    /// <summary>The headers without those of the fault (null when there are none left).</summary>
    public static Dictionary<string, object?>? Strip(IDictionary<string, object?>? headers)
    {
        // The publisher-confirm sequence number of whoever sent it last: the publishing client sets its own.
        var kept = headers?.Where(header => !IsFaultHeader(header.Key) && header.Key != PublishSequenceNumber).ToDictionary(header => header.Key, header => header.Value, StringComparer.Ordinal);
        return kept is { Count: > 0 } ? kept : null;
    }

    /// <summary>
    /// Why a message in an error queue failed, as its headers tell; <paramref name="messageTypes"/> are the message's types
    /// from its envelope (MassTransit puts them there, not in a header, unless the fault added <c>MT-Fault-MessageType</c>).
    /// </summary>
    public static ErrorQueueFault Describe(string? messageId, IReadOnlyDictionary<string, string?> headers, string? messageTypes = null)
    {
        var reason = Value(headers, Message) ?? Value(headers, Reason);
        if (reason is not null)
        {
            reason = reason.Split('\n', 2)[0].Trim();
            if (reason.Length > MaxReasonLength)
            {
                reason = string.Concat(reason.AsSpan(0, MaxReasonLength - 1), "…");
            }
        }

        return new ErrorQueueFault(
            messageId,
            ShortMessageType(Value(headers, MessageType) ?? messageTypes),
            Value(headers, ExceptionType),
            reason,
            DateTimeOffset.TryParse(Value(headers, Timestamp), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : null);
    }

    // "urn:message:Intent.Contracts.Runs:MaterializeAudienceSnapshot" (several, ';'-separated, for a message of many types): its first type's name.
    private static string? ShortMessageType(string? urn) =>
        urn?.Split(';', 2)[0].Split(':')[^1] is { Length: > 0 } name ? name : null;

    private static string? Value(IReadOnlyDictionary<string, string?> headers, string name) =>
        headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}
