namespace Intent.Api.RateLimiting;

/// <summary>
/// Request limits of one API process (section <c>RateLimits</c>). Each is a token bucket: up to the
/// limit at once, refilled evenly over a minute. With several API processes behind a load balancer an
/// organization (or address) may get up to the limit from each of them.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Requests a minute per organization on routes that need a token.</summary>
    public int PerOrganizationPerMinute { get; set; } = 600;

    /// <summary>Requests a minute per client address on public routes, and on private ones without a valid token.</summary>
    public int PerAddressPerMinute { get; set; } = 120;

    /// <summary>Requests a minute per organization on expensive routes (queueing runs, CSV, exports), on top of the above.</summary>
    public int ExpensivePerOrganizationPerMinute { get; set; } = 60;

    /// <summary>Streamed CSV downloads one organization may have open at once (each holds a database connection).</summary>
    public int CsvStreamsPerOrganization { get; set; } = 2;
}
