using Intent.Cli;

namespace Intent.Tests.Unit;

/// <summary>The operator command line's parsing, help and exit codes; nothing here reaches a database.</summary>
public sealed class CliTests : IDisposable
{
    // Nothing listens there: a command that got past its argument checks fails loudly instead of exiting 2.
    private const string Unreachable = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=2";

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"intent-cli-{Guid.NewGuid():N}.csv");

    public CliTests() => File.WriteAllText(_file, "topicId,topicName,type,industry,category\n");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task Help_lists_every_command_and_exits_0_without_a_database()
    {
        var (code, output, _) = await RunAsync(null, "--help");

        Assert.Equal(0, code);
        foreach (var command in new[] { "migrate", "seed", "import", "schedule", "token", "org", "errors" })
        {
            Assert.Matches($"(?m)^  {command}\\b", output);
        }
    }

    [Fact]
    public async Task A_commands_help_names_its_options_and_their_defaults()
    {
        var (code, output, _) = await RunAsync(null, "seed", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--people <N>", output, StringComparison.Ordinal);
        Assert.Contains("[default: 100000]", output, StringComparison.Ordinal);
        Assert.Contains("--end-date <YYYY-MM-DD>", output, StringComparison.Ordinal);
        Assert.Contains("--if-empty", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seed --seed abc", "--seed")]
    [InlineData("seed --people 0", "--people must be a positive whole number")]
    [InlineData("seed --days", "--days")]
    [InlineData("seed --end-date 2026-13-01", "--end-date must be a date as YYYY-MM-DD")]
    [InlineData("seed --frobnicate", "--frobnicate")]
    [InlineData("import topics FILE --date 2001-01-01", "--date is only for scores")]
    [InlineData("import scores FILE", "scores need --date")]
    [InlineData("import scores FILE --date 2001-02-30", "--date must be a date as YYYY-MM-DD")]
    [InlineData("import things FILE", "things")]
    [InlineData("import topics /no/such/file.csv", "no such file: /no/such/file.csv")]
    [InlineData("import topics", "FILE")]
    [InlineData("token create --org x --kind admin", "admin")]
    [InlineData("token create --org x --expires-in 0d", "--expires-in must be a positive duration")]
    [InlineData("token list", "--org")]
    [InlineData("token rotate", "rotate")]
    [InlineData("org set --org acme --slots 1000001", "--slots must be a whole number from 0 to 1000000, or default")]
    [InlineData("schedule run-weekly", "run-weekly")]
    [InlineData("errors replay materialize-audience-snapshot", "QUEUE must be an error queue, a name ending in _error")]
    [InlineData("errors replay _error", "QUEUE must be an error queue")]
    [InlineData("errors replay", "QUEUE")]
    [InlineData("errors replay x_error --limit 0", "--limit must be a positive whole number")]
    [InlineData("errors --show none", "--show must be a positive whole number")]
    public async Task Bad_arguments_exit_2_with_an_error_that_names_them_before_any_database_work(string args, string expected)
    {
        var (code, output, error) = await RunAsync(Unreachable, [.. args.Split(' ').Select(a => a == "FILE" ? _file : a)]);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_group_without_its_subcommand_lists_the_subcommands_on_stderr()
    {
        var (code, output, error) = await RunAsync(Unreachable, "token");

        Assert.Equal(CliApp.UsageError, code);
        Assert.Equal("", output);
        Assert.Contains("create", error, StringComparison.Ordinal);
        Assert.Contains("revoke <PREFIX>", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_connection_string_a_command_exits_2_naming_the_variable()
    {
        var (code, _, error) = await RunAsync(null, "migrate");

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains(CliApp.ConnectionStringVariable, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_organization_name_starting_with_an_at_sign_is_a_name_not_a_response_file()
    {
        var (code, _, error) = await RunAsync(null, "token", "list", "--org", "@acme");

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains(CliApp.ConnectionStringVariable, error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string? connectionString, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(CliApp.CreateRootCommand(connectionString), args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
