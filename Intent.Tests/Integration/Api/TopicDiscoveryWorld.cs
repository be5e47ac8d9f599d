using Intent.Cli;
using Intent.Tests.Integration.Runs;
using Npgsql;

namespace Intent.Tests.Integration.Api;

/// <summary>
/// A database of its own with three seeded days of scores and an API on it, for the topic discovery tests: what the
/// API answers is checked against SQL over the scores themselves.
/// </summary>
public sealed class TopicDiscoveryWorld : IAsyncLifetime
{
    public const string LastDate = "2001-03-03";

    private RunsWorld _world = null!;

    public HttpClient Anonymous { get; private set; } = null!;

    public string ConnectionString => _world.Database.ConnectionString;

    public async Task InitializeAsync()
    {
        _world = await RunsWorld.CreateAsync(seeded: false, worker: false);
        Assert.Equal(0, await SeedCommand.RunAsync(ConnectionString,
            ["--people", "3000", "--topics", "80", "--days", "3", "--seed", "23", "--end-date", LastDate], TextWriter.Null, TextWriter.Null));
        Anonymous = _world.AnonymousClient();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    public Task ExecuteAsync(string sql) => _world.Database.ExecuteAsync(sql);

    /// <summary>The rows of <paramref name="sql"/>, each as its column values (DBNull as null).</summary>
    public async Task<List<object?[]>> RowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add([.. row.Select(v => v is DBNull ? null : v)]);
        }

        return rows;
    }
}
