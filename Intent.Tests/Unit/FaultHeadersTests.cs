using Intent.Cli.Errors;

namespace Intent.Tests.Unit;

public sealed class FaultHeadersTests
{
    [Theory]
    [InlineData("MT-Reason", true)]
    [InlineData("MT-Fault-ExceptionType", true)]
    [InlineData("MT-Fault-Message", true)]
    [InlineData("MT-Fault-StackTrace", true)]
    [InlineData("MT-Fault-RetryCount", true)]
    [InlineData("MT-Host-MachineName", true)]
    [InlineData("MT-Redelivery-Count", true)]
    [InlineData("MT-Fault-Address", false)]
    [InlineData("MT-Activity-Id", false)]
    [InlineData("MT-OriginalMessageId", false)]
    [InlineData("X-Test-Header", false)]
    public void Only_what_the_failure_added_is_a_fault_header(string name, bool fault) =>
        Assert.Equal(fault, FaultHeaders.IsFaultHeader(name));

    [Fact]
    public void Stripping_keeps_every_other_header_and_its_value()
    {
        var kept = FaultHeaders.Strip(new Dictionary<string, object?>
        {
            ["MT-Reason"] = "fault"u8.ToArray(),
            ["MT-Fault-Message"] = "boom"u8.ToArray(),
            ["MT-Fault-Address"] = "rabbitmq://host/faults"u8.ToArray(),
            ["X-Count"] = 3,
            ["x-dotnet-pub-seq-no"] = 7UL,
        });

        Assert.NotNull(kept);
        Assert.Equal(["MT-Fault-Address", "X-Count"], kept.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, kept["X-Count"]);
        Assert.Null(FaultHeaders.Strip(new Dictionary<string, object?> { ["MT-Reason"] = "fault" }));
        Assert.Null(FaultHeaders.Strip(null));
    }

    [Fact]
    public void A_fault_is_described_by_its_first_line_type_name_and_time()
    {
        var fault = FaultHeaders.Describe("0f3a", new Dictionary<string, string?>
        {
            ["MT-Reason"] = "fault",
            ["MT-Fault-Message"] = "Failed to connect to 127.0.0.1:1\n   at Npgsql...",
            ["MT-Fault-ExceptionType"] = "Npgsql.NpgsqlException",
            ["MT-Fault-MessageType"] = "urn:message:Intent.Contracts.Runs:MaterializeAudienceSnapshot;urn:message:Other:Thing",
            ["MT-Fault-Timestamp"] = "2026-11-29T10:11:12.345Z",
        });

        Assert.Equal(new ErrorQueueFault("0f3a", "MaterializeAudienceSnapshot", "Npgsql.NpgsqlException", "Failed to connect to 127.0.0.1:1",
            new DateTimeOffset(2026, 11, 29, 10, 11, 12, 345, TimeSpan.Zero)), fault);
    }

    [Fact]
    public void Without_the_fault_naming_it_the_type_comes_from_the_envelope()
    {
        var fault = FaultHeaders.Describe(null, new Dictionary<string, string?>(), "urn:message:Intent.Contracts.Runs:MaterializeAudienceRun");

        Assert.Equal("MaterializeAudienceRun", fault.MessageType);
    }

    [Fact]
    public void Without_a_fault_message_the_reason_is_MassTransits_and_a_long_one_is_cut()
    {
        Assert.Equal("skip", FaultHeaders.Describe(null, new Dictionary<string, string?> { ["MT-Reason"] = "skip" }).Reason);
        var reason = FaultHeaders.Describe(null, new Dictionary<string, string?> { ["MT-Fault-Message"] = new string('x', 1000) }).Reason!;
        Assert.Equal(FaultHeaders.MaxReasonLength, reason.Length);
        Assert.EndsWith("…", reason, StringComparison.Ordinal);
        Assert.Equal(new ErrorQueueFault(null, null, null, null, null), FaultHeaders.Describe(null, new Dictionary<string, string?>()));
    }
}
