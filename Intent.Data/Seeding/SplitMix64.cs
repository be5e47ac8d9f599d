namespace Intent.Data.Seeding;

/// <summary>A tiny, fast, fully specified PRNG: the synthetic data depends on the seed only, not on the runtime.</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public static SplitMix64 For(int seed, ulong stream, ulong item = 0) =>
        new(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ (stream * 0xBF58476D1CE4E5B9UL) ^ (item * 0x94D049BB133111EBUL));

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, max).</summary>
    public int Below(int max) => (int)(NextDouble() * max);

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];
}
