namespace Intent.Api.Topics;

public sealed record TopicResponse(int TopicId, string TopicName, string Type, string Industry, string Category);
