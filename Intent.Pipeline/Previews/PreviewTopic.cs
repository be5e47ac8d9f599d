namespace Intent.Pipeline.Previews;

/// <summary>A topic a sample person matched, best score first.</summary>
public sealed record PreviewTopic(int TopicId, string TopicName, string Type, string Industry, string Category);
