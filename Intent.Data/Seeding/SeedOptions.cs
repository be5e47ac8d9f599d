namespace Intent.Data.Seeding;

/// <summary>Size and seed of the synthetic data set; equal options give equal rows.</summary>
public sealed record SeedOptions(int People = 100_000, int Topics = 2_000, int Days = 3, int Seed = 42, DateOnly? EndDate = null)
{
    /// <summary>The last data date: <see cref="EndDate"/>, or yesterday (UTC).</summary>
    public DateOnly LastDate => EndDate ?? DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1));

    public IEnumerable<DateOnly> Dates => Enumerable.Range(0, Days).Select(i => LastDate.AddDays(i - Days + 1));
}
