namespace Intent.Data.Catalog;

/// <summary>One day of intent scores; runs use the latest date that is complete.</summary>
public sealed class DataDate
{
    public DateOnly Date { get; set; }

    public bool Complete { get; set; }

    public long ScoreCount { get; set; }

    public DateTime LoadedAt { get; set; }
}
