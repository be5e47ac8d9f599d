using Intent.Pipeline.Email;
using MailKit.Security;

namespace Intent.Tests.Unit;

public sealed class SmtpSecurityPolicyTests
{
    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.2", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData("smtp.example.com", false)]
    [InlineData("mailpit", false)]
    [InlineData("192.0.2.10", false)]
    [InlineData("localhost.example.com", false)]
    public void Only_this_machine_is_local(string host, bool local) => Assert.Equal(local, SmtpSecurityPolicy.IsLocal(host));

    [Theory]
    [InlineData("None")]
    [InlineData("Auto")]
    [InlineData("StartTlsWhenAvailable")]
    [InlineData("starttlswhenavailable")]
    public void A_remote_server_without_required_TLS_is_refused_with_the_settings_to_change(string security)
    {
        var problem = SmtpSecurityPolicy.Problem(Remote(security));

        Assert.NotNull(problem);
        Assert.Contains("smtp.example.com", problem, StringComparison.Ordinal);
        Assert.Contains("Email__AllowInsecureRemoteSmtp=true", problem, StringComparison.Ordinal);
        Assert.Contains("StartTls or SslOnConnect", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StartTls")]
    [InlineData("SslOnConnect")]
    public void A_remote_server_with_required_TLS_is_fine(string security) => Assert.Null(SmtpSecurityPolicy.Problem(Remote(security)));

    [Fact]
    public void Insecure_remote_SMTP_is_allowed_when_the_operator_says_so()
    {
        var options = Remote("None");
        options.AllowInsecureRemoteSmtp = true;
        Assert.Null(SmtpSecurityPolicy.Problem(options));
    }

    [Theory]
    [InlineData("None")]
    [InlineData("StartTlsWhenAvailable")]
    public void A_local_server_may_go_without_TLS(string security) =>
        Assert.Null(SmtpSecurityPolicy.Problem(new EmailOptions { SmtpHost = "127.0.0.1", SmtpSecurity = security }));

    [Fact]
    public void A_pickup_directory_sends_nothing_by_SMTP_so_nothing_is_checked()
    {
        var options = Remote("None");
        options.PickupDirectory = "/tmp/mail";
        Assert.Null(SmtpSecurityPolicy.Problem(options));
    }

    [Fact]
    public void Unset_security_requires_TLS_for_a_remote_server_only()
    {
        Assert.Equal(SecureSocketOptions.StartTls, SmtpSecurityPolicy.Effective(new EmailOptions { SmtpHost = "smtp.example.com" }));
        Assert.Equal(SecureSocketOptions.StartTlsWhenAvailable, SmtpSecurityPolicy.Effective(new EmailOptions { SmtpHost = "localhost" }));
        Assert.Null(SmtpSecurityPolicy.Problem(new EmailOptions { SmtpHost = "smtp.example.com" }));
    }

    [Fact]
    public void The_validator_reports_every_problem()
    {
        var options = Remote("Sometimes");
        options.DailyQuotaPerOrganization = -1;
        options.From = "not an address";

        var result = new EmailOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("Email:SmtpSecurity must be", StringComparison.Ordinal));
        Assert.True(new EmailOptionsValidator().Validate(null, Remote("StartTls")).Succeeded);
    }

    private static EmailOptions Remote(string security) => new() { SmtpHost = "smtp.example.com", SmtpPort = 587, SmtpSecurity = security };
}
