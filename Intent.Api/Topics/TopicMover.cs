namespace Intent.Api.Topics;

/// <summary>
/// A topic whose audience changed between the two latest data dates: <c>pctChange</c> is
/// (today − yesterday) / yesterday × 100, rounded to two decimals.
/// </summary>
public sealed record TopicMover(
    int TopicId,
    string TopicName,
    string Type,
    string Industry,
    int TodayAudience,
    int YesterdayAudience,
    decimal PctChange,
    DateOnly DataDate,
    DateOnly PreviousDate);
