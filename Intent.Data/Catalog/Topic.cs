namespace Intent.Data.Catalog;

/// <summary>A topic of the intent catalog that people get daily scores on.</summary>
public sealed class Topic
{
    public int TopicId { get; set; }

    public string TopicName { get; set; } = "";

    public TopicType Type { get; set; }

    public string Industry { get; set; } = "";

    public string Category { get; set; } = "";
}
