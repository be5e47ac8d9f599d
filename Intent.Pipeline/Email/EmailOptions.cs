namespace Intent.Pipeline.Email;

/// <summary>How ready emails go out (configuration section <c>Email</c>).</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary>Sender address, e.g. <c>Intent &lt;intent@example.com&gt;</c>.</summary>
    public string From { get; set; } = "Intent <intent@localhost>";

    /// <summary>When set, emails are written here as .eml files instead of being sent by SMTP.</summary>
    public string? PickupDirectory { get; set; }

    public string SmtpHost { get; set; } = "127.0.0.1";

    public int SmtpPort { get; set; } = 25;

    /// <summary>
    /// <c>None</c>, <c>Auto</c>, <c>StartTls</c>, <c>StartTlsWhenAvailable</c> or <c>SslOnConnect</c>; unset:
    /// <c>StartTlsWhenAvailable</c> for a server on this machine, <c>StartTls</c> (TLS required) for any other.
    /// </summary>
    public string? SmtpSecurity { get; set; }

    /// <summary>
    /// Whether a server other than this machine may be spoken to without TLS being required
    /// (<c>None</c>, <c>Auto</c>, <c>StartTlsWhenAvailable</c>); off, such a setting stops the worker from starting.
    /// </summary>
    public bool AllowInsecureRemoteSmtp { get; set; }

    /// <summary>
    /// Recipients an organization's ready emails may reach per UTC day (an email to three recipients
    /// counts three); an email that would pass it is not sent. Zero sends none.
    /// </summary>
    public int DailyQuotaPerOrganization { get; set; } = 100;

    public string? SmtpUsername { get; set; }

    public string? SmtpPassword { get; set; }

    /// <summary>Sending attempts before the failure is recorded on the run as <c>readyEmailError</c>.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Wait after the first failed attempt; doubled after each further one.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest one SMTP conversation may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
