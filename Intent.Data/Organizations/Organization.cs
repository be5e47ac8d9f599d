namespace Intent.Data.Organizations;

/// <summary>A customer of Intent; every audience, run and token belongs to one.</summary>
public sealed class Organization
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    /// <summary>How many of its audiences may be active at once; null: the hosts' <c>Audiences:DefaultSlots</c>.</summary>
    public int? AudienceSlots { get; set; }
}
