namespace Intent.Data.Email;

/// <summary>
/// How many ready-email recipients an organization has been sent to on one UTC day; reserved with one
/// atomic upsert that never passes the quota (see <c>EmailQuotaSql</c>).
/// </summary>
public sealed class EmailQuotaUsage
{
    public Guid OrganizationId { get; set; }

    public DateOnly Day { get; set; }

    public int Sent { get; set; }
}
