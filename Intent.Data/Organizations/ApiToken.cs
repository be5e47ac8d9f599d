namespace Intent.Data.Organizations;

/// <summary>A credential of one organization, stored only as its SHA-256 hash and a short display prefix.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public TokenKind Kind { get; set; }

    public byte[] TokenHash { get; set; } = [];

    public string DisplayPrefix { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    /// <summary>After this instant the token is refused like a revoked one; null: it does not expire.</summary>
    public DateTime? ExpiresAt { get; set; }
}
