using Intent.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Intent.Pipeline.Email;

/// <summary>
/// The per-organization daily cap on ready-email recipients (<c>Email:DailyQuotaPerOrganization</c>). A
/// reservation is one upsert of the organization's row for the UTC day that adds the recipients only
/// while the sum stays within the quota, so any number of workers together never pass it. It commits on
/// a connection of its own before the email goes out: no lock is held while the SMTP server talks, and an
/// email whose sending started counts whether or not it was delivered.
/// </summary>
public sealed class ReadyEmailQuota(IConfiguration configuration, IOptions<EmailOptions> options, TimeProvider clock)
{
    public const string Exceeded = "EMAIL_QUOTA_EXCEEDED";

    public int Quota => options.Value.DailyQuotaPerOrganization;

    /// <summary>Reserves <paramref name="recipients"/> of today's quota; false (and nothing reserved) when they do not fit.</summary>
    public async Task<bool> TryReserveAsync(Guid organizationId, int recipients, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(configuration.GetIntentConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO email_quota_usage AS q (organization_id, day, sent)
            SELECT @organization, @day, @count WHERE @count <= @quota
            ON CONFLICT (organization_id, day) DO UPDATE SET sent = q.sent + EXCLUDED.sent
                WHERE q.sent + EXCLUDED.sent <= @quota
            RETURNING q.sent
            """, connection);
        command.Parameters.AddWithValue("organization", organizationId);
        command.Parameters.AddWithValue("day", DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        command.Parameters.AddWithValue("count", recipients);
        command.Parameters.AddWithValue("quota", Quota);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>What the run records when its email did not fit.</summary>
    public string Describe() =>
        $"{Exceeded}: The organization's ready emails reached their daily limit of {Quota} recipients (UTC day); this email was not sent.";
}
