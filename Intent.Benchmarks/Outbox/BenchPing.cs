namespace Intent.Benchmarks.Outbox;

/// <summary>The benchmark's message: an id to match its commit and consume times, and a realistic payload.</summary>
public sealed record BenchPing(long Id, Guid RunId, Guid AudienceId, Guid OrganizationId);
