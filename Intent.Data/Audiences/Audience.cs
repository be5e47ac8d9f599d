namespace Intent.Data.Audiences;

/// <summary>A saved query over intent scores, owned by one organization.</summary>
public sealed class Audience
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public string Name { get; set; } = "";

    public AudienceStatus Status { get; set; }

    public bool DailyRefreshEnabled { get; set; }

    /// <summary>The normalized config as JSON (jsonb).</summary>
    public string Config { get; set; } = "{}";

    /// <summary>SHA-256 hex of the normalized config: equal meaning, equal hash.</summary>
    public string ConfigHash { get; set; } = "";

    /// <summary>Result count of the latest completed run; 0 until then.</summary>
    public long AudienceSize { get; set; }

    public DateTime? LastRefreshedAt { get; set; }

    /// <summary>Who is emailed when a run of this audience completes; empty (the default) sends nothing.</summary>
    public List<string> ReadyEmailRecipients { get; set; } = [];

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
