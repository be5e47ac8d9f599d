namespace Intent.Api.Topics;

/// <summary>One topic of <c>POST /v1/intent/topics/compare</c> with its daily points, oldest first.</summary>
public sealed record TopicSeries(int TopicId, string TopicName, List<TopicTrendPoint> Data);
