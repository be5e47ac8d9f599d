namespace Intent.Api.RateLimiting;

/// <summary>Names of the endpoint rate-limit policies; every route also passes the global per-caller limit.</summary>
public static class RateLimitPolicies
{
    /// <summary>Work that costs the database far more than a read: queueing runs, stored exports.</summary>
    public const string Expensive = "expensive";

    /// <summary>Streamed CSV: the expensive rate plus a per-organization cap on open downloads.</summary>
    public const string CsvStream = "csv-stream";
}
