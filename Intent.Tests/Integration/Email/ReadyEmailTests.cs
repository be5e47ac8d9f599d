using System.Globalization;
using System.Net;
using Intent.Contracts.Exports;
using Intent.Contracts.Runs;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intent.Tests.Integration.Email;

[Collection(IntegrationGroup.Name)]
public sealed class ReadyEmailTests
{
    private static readonly object Config = new { topicIds = new[] { 1, 2, 3 }, minScore = 30 };

    [Fact]
    public async Task A_completed_run_with_recipients_sends_exactly_one_email_with_a_working_link_even_when_completion_is_delivered_again()
    {
        await using var smtp = TestSmtpServer.Start();
        await using var world = await RunsWorld.CreateAsync(workerSettings: Smtp(smtp.Port));
        var audience = await AudienceWithRecipientsAsync(world, "Ready list", "ops@example.com", "Team@Example.com");

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await Eventually.MatchAsync(() => world.RunAsync(audience, runId),
            r => r.GetProperty("readyEmailSentAt").ValueKind != System.Text.Json.JsonValueKind.Null || r.GetProperty("readyEmailError").ValueKind != System.Text.Json.JsonValueKind.Null,
            TimeSpan.FromSeconds(60), "the ready email");
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, run.GetProperty("readyEmailError").ValueKind);
        var exportId = run.GetProperty("readyEmailExportId").GetGuid();

        // The same news again, as a redelivery or a second publisher would bring it: nothing more is sent.
        var bus = world.Worker!.Services.GetRequiredService<IBus>();
        await bus.Publish(new AudienceRunCompleted { RunId = runId, ResultCount = run.GetProperty("resultCount").GetInt64(), ResultKey = run.GetProperty("resultKey").GetString()! });
        await bus.Publish(new AudienceRunCompleted { RunId = runId, ResultCount = run.GetProperty("resultCount").GetInt64(), ResultKey = run.GetProperty("resultKey").GetString()! });
        await bus.Publish(new AudienceExportCompleted { ExportId = exportId, RunId = runId });
        await Task.Delay(TimeSpan.FromSeconds(3));

        var message = Assert.Single(smtp.Messages);
        Assert.Equal(["ops@example.com", "Team@Example.com"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Contains("Ready list", message.Subject, StringComparison.Ordinal);
        var resultCount = run.GetProperty("resultCount").GetInt64().ToString("N0", CultureInfo.InvariantCulture);
        Assert.Contains(resultCount, message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Data date: 2001-01-02", message.TextBody, StringComparison.Ordinal);
        Assert.Equal(run.GetProperty("readyEmailExportId").GetGuid(), exportId);

        var link = message.TextBody!.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http", StringComparison.Ordinal));
        using var anonymous = world.AnonymousClient();
        using var download = await anonymous.GetAsync(new Uri(new Uri(link).PathAndQuery, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var lines = (await download.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(run.GetProperty("resultCount").GetInt64() + 1, lines.Length);
    }

    [Fact]
    public async Task An_SMTP_failure_is_retried_then_recorded_and_the_run_stays_completed()
    {
        await using var world = await RunsWorld.CreateAsync(workerSettings: Smtp(TestSmtpServer.FreePort()));
        var audience = await AudienceWithRecipientsAsync(world, "Nobody listens", "ops@example.com");

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        var run = await Eventually.MatchAsync(() => world.RunAsync(audience, runId),
            r => r.GetProperty("readyEmailError").ValueKind != System.Text.Json.JsonValueKind.Null, TimeSpan.FromSeconds(60), "the ready email to fail");

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, run.GetProperty("readyEmailSentAt").ValueKind);
        Assert.Equal("EMAIL_SERVER_UNREACHABLE: The mail server could not be reached.", run.GetProperty("readyEmailError").GetString());
        var (results, _) = await world.Client.SendAsync(HttpMethod.Get, $"/v1/intent/audiences/{audience}/runs/{runId}/results");
        Assert.Equal(HttpStatusCode.OK, results.StatusCode);
    }

    [Fact]
    public async Task Without_recipients_no_export_and_no_email()
    {
        await using var smtp = TestSmtpServer.Start();
        await using var world = await RunsWorld.CreateAsync(workerSettings: Smtp(smtp.Port));
        var audience = await world.AudienceAsync(Config);

        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        await world.WaitForStatusAsync(audience, runId, "completed", "failed");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Empty(smtp.Messages);
        await using var db = world.Database.CreateDbContext();
        Assert.Equal(0, await db.AudienceExports.CountAsync());
    }

    [Fact]
    public async Task Recipients_are_validated()
    {
        await using var world = await RunsWorld.CreateAsync(seeded: false, worker: false);
        await using (var db = world.Database.CreateDbContext())
        {
            await TestData.TopicOneAsync(db);
        }

        var (response, body) = await world.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences",
            new { name = "bad", config = new { topicIds = new[] { 1 } }, readyEmailRecipients = new[] { "ok@example.com", "not an address" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(body.GetProperty("error").GetProperty("details").GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("field").GetString() == "readyEmailRecipients[1]");
        var (tooMany, _) = await world.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences",
            new { name = "many", config = new { topicIds = new[] { 1 } }, readyEmailRecipients = Enumerable.Range(0, 11).Select(i => $"u{i}@example.com") });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        await using var check = world.Database.CreateDbContext();
        Assert.Equal(0, await check.Audiences.CountAsync());
    }

    private static async Task<Guid> AudienceWithRecipientsAsync(RunsWorld world, string name, params string[] recipients)
    {
        var (response, body) = await world.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences",
            new { name, status = "active", config = Config, readyEmailRecipients = recipients });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(recipients, body.Data().GetProperty("readyEmailRecipients").EnumerateArray().Select(r => r.GetString()));
        return body.Data().GetProperty("id").GetGuid();
    }

    private static Dictionary<string, string?> Smtp(int port) => new()
    {
        ["Email:PickupDirectory"] = "",
        ["Email:SmtpHost"] = "127.0.0.1",
        ["Email:SmtpPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["Email:SmtpSecurity"] = "None",
        ["Email:From"] = "Intent <intent@example.com>",
        ["Email:MaxAttempts"] = "2",
        ["Email:RetryDelay"] = "00:00:00.200",
    };
}
