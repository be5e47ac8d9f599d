namespace Intent.Cli.Errors;

/// <summary>An error-queue command cannot go on (a queue missing, the broker refusing); the message says why, for the operator.</summary>
public sealed class ErrorQueueException : Exception
{
    public ErrorQueueException()
    {
    }

    public ErrorQueueException(string message)
        : base(message)
    {
    }

    public ErrorQueueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
