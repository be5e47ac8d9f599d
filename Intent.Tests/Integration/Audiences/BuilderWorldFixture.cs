using Intent.Tests.Integration.Runs;

namespace Intent.Tests.Integration.Audiences;

/// <summary>One seeded world (3,000 people, two data dates) with an API and a worker, shared by the tests of a class that only read its data.</summary>
public sealed class BuilderWorldFixture : IAsyncLifetime
{
    public RunsWorld World { get; private set; } = null!;

    public async Task InitializeAsync() => World = await RunsWorld.CreateAsync();

    public async Task DisposeAsync() => await World.DisposeAsync();
}
