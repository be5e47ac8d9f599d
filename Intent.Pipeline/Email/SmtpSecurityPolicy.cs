using System.Net;
using MailKit.Security;

namespace Intent.Pipeline.Email;

/// <summary>
/// Mail leaving this machine goes over TLS: an SMTP server elsewhere is spoken to with <c>StartTls</c> or
/// <c>SslOnConnect</c> unless <c>Email:AllowInsecureRemoteSmtp</c> says otherwise.
/// </summary>
public static class SmtpSecurityPolicy
{
    /// <summary>Whether <paramref name="host"/> is this machine (<c>localhost</c> or a loopback address).</summary>
    public static bool IsLocal(string host)
    {
        var name = host.Trim().TrimStart('[').TrimEnd(']');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>The security the connection uses: the configured one, or the default for where the server is.</summary>
    public static SecureSocketOptions Effective(EmailOptions options) =>
        string.IsNullOrWhiteSpace(options.SmtpSecurity)
            ? IsLocal(options.SmtpHost) ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.StartTls
            : Enum.Parse<SecureSocketOptions>(options.SmtpSecurity, ignoreCase: true);

    /// <summary>What is wrong with the settings, or null when they may be used.</summary>
    public static string? Problem(EmailOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PickupDirectory))
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(options.SmtpSecurity) && !Enum.TryParse<SecureSocketOptions>(options.SmtpSecurity, ignoreCase: true, out _))
        {
            return "Email:SmtpSecurity must be None, Auto, StartTls, StartTlsWhenAvailable or SslOnConnect";
        }

        var security = Effective(options);
        if (security is SecureSocketOptions.StartTls or SecureSocketOptions.SslOnConnect || IsLocal(options.SmtpHost) || options.AllowInsecureRemoteSmtp)
        {
            return null;
        }

        return $"Email:SmtpSecurity {security} may send mail to {options.SmtpHost} unencrypted: set Email__SmtpSecurity to StartTls or SslOnConnect, "
            + "or set Email__AllowInsecureRemoteSmtp=true to allow it";
    }
}
