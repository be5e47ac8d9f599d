namespace Intent.ServiceDefaults.Health;

/// <summary>One check's status in a health answer.</summary>
public sealed record HealthCheckResponse(string Status, string? Description, double DurationMs);
