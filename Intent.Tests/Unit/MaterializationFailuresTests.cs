using Intent.Worker.Runs;
using Npgsql;

namespace Intent.Tests.Unit;

public sealed class MaterializationFailuresTests
{
    [Theory]
    [InlineData("55P03", "MATERIALIZATION_TIMEOUT", true)]
    [InlineData("57014", "MATERIALIZATION_TIMEOUT", true)]
    [InlineData("40001", "MATERIALIZATION_CONFLICT", true)]
    [InlineData("40P01", "MATERIALIZATION_CONFLICT", true)]
    [InlineData("53200", "DATABASE_UNAVAILABLE", true)]
    [InlineData("22012", "MATERIALIZATION_FAILED", false)]
    [InlineData("42P01", "MATERIALIZATION_FAILED", false)]
    public void Database_errors_are_classified_by_their_state(string state, string code, bool retryable)
    {
        var failure = MaterializationFailures.Classify(new PostgresException("boom", "ERROR", "ERROR", state));
        Assert.NotNull(failure);
        Assert.Equal(code, failure.Code);
        Assert.Equal(retryable, failure.Retryable);
    }

    [Fact]
    public void An_invalid_config_is_permanent() =>
        Assert.Equal(new MaterializationFailures.Classified("INVALID_CONFIG", "bad", false), MaterializationFailures.Classify(new InvalidDataException("bad")));

    [Theory]
    [InlineData("57P01")]
    [InlineData("57P02")]
    public void A_session_the_server_ended_is_left_to_the_message_retry(string state) =>
        Assert.Null(MaterializationFailures.Classify(new PostgresException("gone", "FATAL", "FATAL", state)));

    [Fact]
    public void Other_failures_are_left_to_the_message_retry() =>
        Assert.Null(MaterializationFailures.Classify(new TimeoutException()));
}
