namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>A row a test consumer writes in its consume transaction: the observable effect of handling a message.</summary>
public sealed class TestEffect
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public string Consumer { get; set; } = "";

    public string Group { get; set; } = "";

    public int Sequence { get; set; }

    public string? Header { get; set; }

    public string? ContentType { get; set; }

    public string? DestinationAddress { get; set; }
}
