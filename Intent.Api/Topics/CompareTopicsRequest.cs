namespace Intent.Api.Topics;

/// <summary>Body of <c>POST /v1/intent/topics/compare</c>: 1 to 10 topic ids, and how many of the latest data dates (default 30).</summary>
public sealed record CompareTopicsRequest(List<int>? TopicIds, int? Days);
