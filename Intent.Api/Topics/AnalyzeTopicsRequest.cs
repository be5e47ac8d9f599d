namespace Intent.Api.Topics;

/// <summary>Body of <c>POST /v1/intent/topics/analyze</c>: the website Orbit would read (not offered here).</summary>
public sealed record AnalyzeTopicsRequest(string? Url);
