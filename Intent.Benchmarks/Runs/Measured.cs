
namespace Intent.Benchmarks.Runs;

/// <summary>Requests completed in a phase of load, its rate and latency percentiles (ms).</summary>
public sealed record Measured(int Count, int Errors, TimeSpan Elapsed, IReadOnlyList<double> Latencies)
{
    public double Rate => Count / Elapsed.TotalSeconds;

    public double P50 => At(0.50);

    public double P99 => At(0.99);

    public static Measured Of(IEnumerable<double> latencies, int errors, TimeSpan elapsed)
    {
        var sorted = latencies.Order().ToArray();
        return new Measured(sorted.Length, errors, elapsed, sorted);
    }

    /// <summary>Several phases as one: their requests, errors and time added up.</summary>
    public static Measured Pooled(IReadOnlyCollection<Measured> phases) =>
        Of(phases.SelectMany(p => p.Latencies), phases.Sum(p => p.Errors), TimeSpan.FromTicks(phases.Sum(p => p.Elapsed.Ticks)));

    /// <summary>The latency (ms) at quantile <paramref name="q"/> (0.95: p95).</summary>
    public double At(double q) => Latencies.Count == 0 ? 0 : Latencies[Math.Min(Latencies.Count - 1, (int)Math.Ceiling(q * Latencies.Count) - 1)];
}
