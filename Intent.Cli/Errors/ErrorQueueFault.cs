namespace Intent.Cli.Errors;

/// <summary>One message of an error queue: its id, its type's name, and the exception that moved it there.</summary>
public sealed record ErrorQueueFault(string? MessageId, string? MessageType, string? ExceptionType, string? Reason, DateTimeOffset? FaultedAt);
