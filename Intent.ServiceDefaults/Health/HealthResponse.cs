namespace Intent.ServiceDefaults.Health;

/// <summary>The body of a health answer: the overall status and each check's.</summary>
public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthCheckResponse> Checks);
