namespace Intent.Data.Catalog;

/// <summary>
/// One topic's audience on one data date, written with the day by <see cref="Loading.TopicDailyAggregates"/>
/// so topic discovery (trend, compare, movers) never scans scores per request.
/// </summary>
public sealed class TopicDailyAggregate
{
    public DateOnly DataDate { get; set; }

    public int TopicId { get; set; }

    /// <summary>People scored on the topic that day (one score per person, topic and day).</summary>
    public int UniqueAudience { get; set; }

    /// <summary>Sum of their scores: the average is <c>ScoreSum / UniqueAudience</c>.</summary>
    public long ScoreSum { get; set; }

    /// <summary>Scored from <see cref="Loading.TopicDailyAggregates.HighScore"/> to 100.</summary>
    public int HighAudience { get; set; }

    /// <summary>Scored from <see cref="Loading.TopicDailyAggregates.MediumScore"/> to below the high band.</summary>
    public int MediumAudience { get; set; }

    /// <summary>Scored below the medium band.</summary>
    public int LowAudience { get; set; }
}
