using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Intent.Pipeline.Email;

/// <summary>
/// What a run's <c>readyEmailError</c> says when sending failed: a code and a sentence of our own, never the
/// exception's text or the SMTP server's reply, which go to the worker's log with the run id.
/// </summary>
public static class ReadyEmailFailures
{
    public const string Rejected = "EMAIL_REJECTED";
    public const string Unreachable = "EMAIL_SERVER_UNREACHABLE";
    public const string Failed = "EMAIL_FAILED";

    public sealed record Classified(string Code, string Message)
    {
        public override string ToString() => $"{Code}: {Message}";
    }

    public static Classified Classify(Exception exception) => exception switch
    {
        SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted } => new(Rejected, "The mail server refused a recipient address."),
        SmtpCommandException { ErrorCode: SmtpErrorCode.SenderNotAccepted } => new(Rejected, "The mail server refused the sender address."),
        SmtpCommandException => new(Rejected, "The mail server refused the email."),
        AuthenticationException => new(Failed, "The email service could not log in to the mail server."),
        SslHandshakeException => new(Failed, "No secure connection to the mail server could be made."),
        SocketException or TimeoutException or OperationCanceledException or ServiceNotConnectedException or SmtpProtocolException or IOException =>
            new(Unreachable, "The mail server could not be reached."),
        _ => new(Failed, "The email could not be sent."),
    };

    /// <summary>What the run records when the export the email links to failed.</summary>
    public static string ExportFailed(string? code) =>
        $"{(code is { Length: > 0 and <= 64 } && code.All(c => c is (>= 'A' and <= 'Z') or '_') ? code : "EXPORT_FAILED")}: The export the email links to could not be written.";
}
