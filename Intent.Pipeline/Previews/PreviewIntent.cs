namespace Intent.Pipeline.Previews;

/// <summary>Why a sample person is in the audience: best matched score, how many of the topics matched, and which.</summary>
public sealed record PreviewIntent(int Score, int TopicOverlap, IReadOnlyList<PreviewTopic> MatchedTopics);
