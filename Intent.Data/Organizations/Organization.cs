namespace Intent.Data.Organizations;

/// <summary>A customer of Intent; every audience, run and token belongs to one.</summary>
public sealed class Organization
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public DateTime CreatedAt { get; set; }
}
