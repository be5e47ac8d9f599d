using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Intent.Pipeline.Email;

/// <summary>Sends by SMTP with MailKit: one connection per email.</summary>
public sealed class SmtpReadyEmailSender(IOptions<EmailOptions> options) : IReadyEmailSender
{
    public string Destination => $"smtp://{options.Value.SmtpHost}:{options.Value.SmtpPort}";

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        await client.ConnectAsync(settings.SmtpHost, settings.SmtpPort, SmtpSecurityPolicy.Effective(settings), timeout.Token);
        if (!string.IsNullOrEmpty(settings.SmtpUsername))
        {
            await client.AuthenticateAsync(settings.SmtpUsername, settings.SmtpPassword ?? "", timeout.Token);
        }

        await client.SendAsync(message, timeout.Token);
        await client.DisconnectAsync(quit: true, timeout.Token);
    }
}
