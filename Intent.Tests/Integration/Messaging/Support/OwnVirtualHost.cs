namespace Intent.Tests.Integration.Messaging.Support;

/// <summary>A virtual host made for one test; deleted on dispose.</summary>
public sealed class OwnVirtualHost(string name, Func<Task> delete) : IAsyncDisposable
{
    public string Name { get; } = name;

    public async ValueTask DisposeAsync() => await delete();
}
