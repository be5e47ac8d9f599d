using Intent.Data.Runs;
using Intent.Pipeline.Diagnostics;
using Intent.Pipeline.Runs;
using Microsoft.Extensions.Options;

namespace Intent.Tests.Unit;

public sealed class RunStatusTests
{
    [Fact]
    public void The_state_machine_declares_exactly_the_statuses_a_run_can_take()
    {
        using var metrics = new PipelineMetrics(null);
        var machine = new AudienceRunStateMachine(Options.Create(new RunAttemptOptions()), TimeProvider.System, metrics);

        var states = machine.States.Select(s => s.Name).Where(n => n is not ("Initial" or "Final")).Order(StringComparer.Ordinal);

        Assert.Equal(RunStatus.All.Order(StringComparer.Ordinal), states);
    }

    [Fact]
    public void Every_status_has_one_stored_spelling_and_back()
    {
        var stored = RunStatus.All.Select(RunStatus.ToPublic).ToList();

        Assert.Equal(["queued", "running", "completed", "failed", "cancelled"], stored);
        Assert.Equal(RunStatus.All, stored.Select(RunStatus.FromPublic));
        var all = RunStatus.Stored.AllList;
        var inFlight = RunStatus.Stored.InFlightList;
        Assert.Equal(string.Join(", ", stored.Select(s => $"'{s}'")), all);
        Assert.Equal($"'{RunStatus.ToPublic(RunStatus.Queued)}', '{RunStatus.ToPublic(RunStatus.Running)}'", inFlight);
        Assert.Throws<FormatException>(() => RunStatus.FromPublic("Queued"));
    }

    [Theory]
    [InlineData(3, 3, true)]
    [InlineData(3, 2, false)]
    [InlineData(3, 4, false)]
    [InlineData(3, 0, true)]
    public void A_message_acts_only_for_the_current_attempt(int runAttempts, int messageAttempt, bool current)
    {
        var run = new AudienceRun { Attempts = runAttempts };

        Assert.Equal(current, RunAttempts.IsCurrent(run, messageAttempt));
        Assert.Equal(current, RunAttempts.IsCurrentAttempt(messageAttempt).Compile()(run));
    }
}
