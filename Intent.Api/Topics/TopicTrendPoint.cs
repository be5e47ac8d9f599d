namespace Intent.Api.Topics;

/// <summary>
/// One topic on one data date. <c>totalSignals</c> counts the day's scores of the topic: one per person, so it
/// equals <c>uniqueAudience</c>. <c>avgScore</c> is null when nobody was scored. The bands split the audience by
/// score: high 70–100, medium 50–69, low 1–49.
/// </summary>
public sealed record TopicTrendPoint(
    DateOnly Date,
    int TopicId,
    string TopicName,
    string Type,
    string Industry,
    string Category,
    int UniqueAudience,
    int TotalSignals,
    decimal? AvgScore,
    int HighAudience,
    int MediumAudience,
    int LowAudience);
