namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>Names that keep one test's queues and rows apart from every other test's.</summary>
public static class TestNames
{
    public static string QueuePrefix() => $"t{Guid.NewGuid():N}"[..9] + "-";

    public static string Group() => Guid.NewGuid().ToString("N");
}
