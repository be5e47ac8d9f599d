using Microsoft.Extensions.Options;
using MimeKit;

namespace Intent.Pipeline.Email;

/// <summary>Writes each email as an .eml file (for development without an SMTP server).</summary>
public sealed class PickupDirectoryReadyEmailSender(IOptions<EmailOptions> options) : IReadyEmailSender
{
    public string Destination => Path.GetFullPath(options.Value.PickupDirectory!);

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Destination);
        var name = $"{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{(message.MessageId ?? Guid.NewGuid().ToString("N")).Split('@')[0]}.eml";
        await message.WriteToAsync(Path.Combine(Destination, name), cancellationToken);
    }
}
