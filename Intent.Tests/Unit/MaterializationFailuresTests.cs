using Intent.Pipeline.Runs;
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

    [Theory]
    [InlineData("55P03")]
    [InlineData("57014")]
    [InlineData("40001")]
    [InlineData("53100")]
    [InlineData("42P01")]
    [InlineData("23505")]
    public void What_the_run_records_never_holds_the_database_text(string state)
    {
        const string Text = "duplicate key value violates unique constraint \"pk_people\": Key (hashed_email)=(secret@example.com)";
        var failure = MaterializationFailures.Classify(
            new PostgresException(Text, "ERROR", "ERROR", state, detail: "Key (person_id)=(42) already exists.", hint: "SELECT * FROM people"));

        Assert.NotNull(failure);
        Assert.DoesNotContain("pk_people", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret@example.com", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(state, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SELECT", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_config_is_permanent_and_names_the_fields() =>
        Assert.Equal(new MaterializationFailures.Classified("INVALID_CONFIG", "The run's config is invalid: topicIds is required", false),
            MaterializationFailures.Classify(new InvalidRunConfigException("The run's config is invalid: topicIds is required")));

    [Fact]
    public void Invalid_data_from_anywhere_else_is_not_taken_for_a_config_error() =>
        Assert.Null(MaterializationFailures.Classify(new InvalidDataException("Block length does not match with its complement.")));

    [Theory]
    [InlineData("57P01")]
    [InlineData("57P02")]
    public void A_session_the_server_ended_is_left_to_the_message_retry(string state) =>
        Assert.Null(MaterializationFailures.Classify(new PostgresException("gone", "FATAL", "FATAL", state)));

    [Fact]
    public void Other_failures_are_left_to_the_message_retry() =>
        Assert.Null(MaterializationFailures.Classify(new TimeoutException()));
}
