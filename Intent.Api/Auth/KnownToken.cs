namespace Intent.Api.Auth;

/// <summary>A token that was found, not revoked, as <see cref="TokenCache"/> keeps it; or <see cref="Unknown"/>.</summary>
public sealed class KnownToken(Guid id, Guid organizationId, DateTime? expiresAt, DateTime? lastUsedAt)
{
    private long _lastUsedTicks = lastUsedAt?.Ticks ?? 0;

    /// <summary>No such token, or a revoked one.</summary>
    public static KnownToken Unknown { get; } = new(Guid.Empty, Guid.Empty, null, null);

    public Guid Id { get; } = id;

    public Guid OrganizationId { get; } = organizationId;

    public DateTime? ExpiresAt { get; } = expiresAt;

    /// <summary>True for one caller per <paramref name="resolution"/> in this process: that one records the use.</summary>
    public bool TryMarkUsed(DateTime now, TimeSpan resolution)
    {
        var last = Interlocked.Read(ref _lastUsedTicks);
        return now.Ticks - last > resolution.Ticks && Interlocked.CompareExchange(ref _lastUsedTicks, now.Ticks, last) == last;
    }
}
