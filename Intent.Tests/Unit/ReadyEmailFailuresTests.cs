using System.Net.Sockets;
using Intent.Pipeline.Email;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Intent.Tests.Unit;

public sealed class ReadyEmailFailuresTests
{
    private const string Reply = "5.7.1 relay denied by mx-7.corp.internal (10.1.2.3) for intent@example.com";

    public static TheoryData<Exception, string> Failures => new()
    {
        { new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, MailboxAddress.Parse("a@example.com"), Reply), "EMAIL_REJECTED" },
        { new SmtpCommandException(SmtpErrorCode.SenderNotAccepted, SmtpStatusCode.MailboxUnavailable, MailboxAddress.Parse("a@example.com"), Reply), "EMAIL_REJECTED" },
        { new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, SmtpStatusCode.TransactionFailed, Reply), "EMAIL_REJECTED" },
        { new AuthenticationException(Reply), "EMAIL_FAILED" },
        { new SslHandshakeException(Reply), "EMAIL_FAILED" },
        { new SocketException((int)SocketError.ConnectionRefused), "EMAIL_SERVER_UNREACHABLE" },
        { new SmtpProtocolException(Reply), "EMAIL_SERVER_UNREACHABLE" },
        { new TimeoutException(Reply), "EMAIL_SERVER_UNREACHABLE" },
        { new InvalidOperationException(Reply + " at /srv/intent/Intent.Worker.dll"), "EMAIL_FAILED" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_becomes_a_code_and_a_sentence_of_our_own(Exception exception, string code)
    {
        var failure = ReadyEmailFailures.Classify(exception);

        Assert.Equal(code, failure.Code);
        Assert.StartsWith($"{code}: ", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("relay denied", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("10.1.2.3", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(exception.GetType().Name, failure.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EXPORT_FAILED", "EXPORT_FAILED: ")]
    [InlineData("SOME_OTHER_CODE", "SOME_OTHER_CODE: ")]
    [InlineData("IOException: /var/lib/intent/exports is full", "EXPORT_FAILED: ")]
    [InlineData("", "EXPORT_FAILED: ")]
    public void A_failed_export_is_recorded_by_a_code_only(string code, string prefix)
    {
        var error = ReadyEmailFailures.ExportFailed(code);
        Assert.StartsWith(prefix, error, StringComparison.Ordinal);
        Assert.DoesNotContain("/var/lib", error, StringComparison.Ordinal);
    }
}
