using System.Globalization;
using System.Net;
using System.Text.Json;
using Intent.Pipeline.Email;
using Intent.Tests.Integration.Api;
using Intent.Tests.Integration.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Intent.Tests.Integration.Email;

[Collection(IntegrationGroup.Name)]
public sealed class ReadyEmailSafetyTests(IntentDatabaseFixture database)
{
    private static readonly object Config = new { topicIds = new[] { 1, 2, 3 }, minScore = 30 };

    [Fact]
    public async Task The_daily_quota_counts_recipients_and_an_email_that_does_not_fit_is_not_sent_and_says_why()
    {
        await using var smtp = TestSmtpServer.Start();
        var settings = Smtp(smtp.Port);
        settings["Email:DailyQuotaPerOrganization"] = "3";
        await using var world = await RunsWorld.CreateAsync(workerSettings: settings);

        var first = await ReadyEmailOfAsync(world, await AudienceWithRecipientsAsync(world, "first", "a@example.com", "b@example.com"));
        Assert.Equal(JsonValueKind.Null, first.GetProperty("readyEmailError").ValueKind);

        var refused = await ReadyEmailOfAsync(world, await AudienceWithRecipientsAsync(world, "second", "c@example.com", "d@example.com"));
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("readyEmailSentAt").ValueKind);
        Assert.Equal("completed", refused.GetProperty("status").GetString());
        var error = refused.GetProperty("readyEmailError").GetString()!;
        Assert.StartsWith("EMAIL_QUOTA_EXCEEDED: ", error, StringComparison.Ordinal);
        Assert.Contains("3 recipients", error, StringComparison.Ordinal);

        // One recipient still fits: the refused email reserved nothing.
        var third = await ReadyEmailOfAsync(world, await AudienceWithRecipientsAsync(world, "third", "e@example.com"));
        Assert.Equal(JsonValueKind.Null, third.GetProperty("readyEmailError").ValueKind);

        Assert.Equal(["a@example.com", "b@example.com", "e@example.com"], smtp.Messages.SelectMany(m => m.To.Mailboxes).Select(m => m.Address).Order());
        Assert.Equal(3, await world.Database.ScalarAsync<int>($"SELECT sent FROM email_quota_usage WHERE organization_id = '{world.OrganizationId}'"));
    }

    [Fact]
    public async Task Reservations_from_many_workers_at_once_never_pass_the_quota()
    {
        Guid organizationId;
        await using (var db = database.CreateDbContext())
        {
            (organizationId, _) = await TestData.OrganizationAsync(db, "quota race");
        }

        var quota = Quota(10);
        var granted = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => quota.TryReserveAsync(organizationId, 1, CancellationToken.None))));

        Assert.Equal(10, granted.Count(g => g));
        Assert.False(await quota.TryReserveAsync(organizationId, 1, CancellationToken.None));
        await using var check = database.CreateDbContext();
        Assert.Equal(10, Assert.Single(check.Set<Intent.Data.Email.EmailQuotaUsage>().Where(u => u.OrganizationId == organizationId)).Sent);
    }

    [Fact]
    public async Task An_email_larger_than_the_whole_quota_reserves_nothing()
    {
        Guid organizationId;
        await using (var db = database.CreateDbContext())
        {
            (organizationId, _) = await TestData.OrganizationAsync(db, "quota too big");
        }

        Assert.False(await Quota(2).TryReserveAsync(organizationId, 3, CancellationToken.None));
        Assert.True(await Quota(2).TryReserveAsync(organizationId, 2, CancellationToken.None));
        Assert.False(await Quota(0).TryReserveAsync(Guid.NewGuid(), 1, CancellationToken.None));
    }

    [Fact]
    public async Task An_SMTP_server_refusing_the_email_is_recorded_by_a_code_never_by_its_reply()
    {
        const string Reply = "relay denied by mx-7.corp.internal (10.1.2.3): policy 42 see /etc/postfix/access";
        await using var smtp = TestSmtpServer.Rejecting(Reply);
        await using var world = await RunsWorld.CreateAsync(workerSettings: Smtp(smtp.Port));

        var run = await ReadyEmailOfAsync(world, await AudienceWithRecipientsAsync(world, "refused", "ops@example.com"));

        Assert.Equal(JsonValueKind.Null, run.GetProperty("readyEmailSentAt").ValueKind);
        var error = run.GetProperty("readyEmailError").GetString()!;
        Assert.Equal("EMAIL_REJECTED: The mail server refused the email.", error);
        Assert.DoesNotContain("relay", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("10.1.2.3", error, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task A_worker_refuses_to_start_when_it_would_send_mail_to_another_machine_without_TLS()
    {
        var insecure = new Dictionary<string, string?>
        {
            ["Email:PickupDirectory"] = "",
            ["Email:SmtpHost"] = "smtp.example.com",
            ["Email:SmtpPort"] = "587",
            ["Email:SmtpSecurity"] = "StartTlsWhenAvailable",
        };
        await using (var refused = new IntentHostFactory<global::Intent.Worker.Program>(insecure))
        {
            var exception = Assert.ThrowsAny<Exception>(() => refused.CreateClient());
            var messages = Flatten(exception).Select(e => e.Message).ToList();
            Assert.Contains(messages, m => m.Contains("Email__AllowInsecureRemoteSmtp=true", StringComparison.Ordinal)
                && m.Contains("smtp.example.com", StringComparison.Ordinal));
        }

        // The operator's explicit choice is honoured (nothing is sent here, so no connection is made).
        insecure["Email:AllowInsecureRemoteSmtp"] = "true";
        await using var allowed = new IntentHostFactory<global::Intent.Worker.Program>(insecure);
        using var client = allowed.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        yield return exception;
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : exception.InnerException is { } one ? [one] : [];
        foreach (var nested in inner.SelectMany(Flatten))
        {
            yield return nested;
        }
    }

    private ReadyEmailQuota Quota(int perDay) => new(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Intent"] = database.ConnectionString }).Build(),
        Options.Create(new EmailOptions { DailyQuotaPerOrganization = perDay }),
        TimeProvider.System);

    private static async Task<JsonElement> ReadyEmailOfAsync(RunsWorld world, Guid audience)
    {
        var runId = (await world.QueueAsync(audience)).GetProperty("id").GetGuid();
        return await Eventually.MatchAsync(() => world.RunAsync(audience, runId),
            r => r.GetProperty("readyEmailSentAt").ValueKind != JsonValueKind.Null || r.GetProperty("readyEmailError").ValueKind != JsonValueKind.Null,
            TimeSpan.FromSeconds(60), "the ready email");
    }

    private static async Task<Guid> AudienceWithRecipientsAsync(RunsWorld world, string name, params string[] recipients)
    {
        var (response, body) = await world.Client.SendAsync(HttpMethod.Post, "/v1/intent/audiences",
            new { name, status = "active", config = Config, readyEmailRecipients = recipients });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
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
