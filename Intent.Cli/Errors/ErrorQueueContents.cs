namespace Intent.Cli.Errors;

/// <summary>
/// An error queue (<c>QUEUE_error</c>), the queue its messages came from, how many it holds, and the faults of the first few.
/// </summary>
public sealed record ErrorQueueContents(string Name, string SourceQueue, long Messages, IReadOnlyList<ErrorQueueFault> Faults);
