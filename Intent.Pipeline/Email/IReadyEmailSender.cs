using MimeKit;

namespace Intent.Pipeline.Email;

/// <summary>Hands a finished email to whatever delivers it.</summary>
public interface IReadyEmailSender
{
    /// <summary>Where emails go, for logs.</summary>
    string Destination { get; }

    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}
