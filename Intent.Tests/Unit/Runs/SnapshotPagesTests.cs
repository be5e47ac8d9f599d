using Intent.Api.Runs;
using Intent.Data.Runs;

namespace Intent.Tests.Unit.Runs;

/// <summary>The page size of stored members (<see cref="SnapshotPages"/>) against what reads them.</summary>
public sealed class SnapshotPagesTests
{
    [Fact]
    public void The_largest_page_of_results_spans_at_most_two_member_pages()
    {
        int[] limits = [1, RunResultsEndpoint.DefaultLimit, RunResultsEndpoint.MaxLimit];
        foreach (var limit in limits)
        {
            foreach (var offset in new[] { 0, 1, SnapshotPages.Size - 1, SnapshotPages.Size, 7 * SnapshotPages.Size - limit / 2, 1_000_003 })
            {
                var first = offset / SnapshotPages.Size;
                var last = (offset + limit - 1) / SnapshotPages.Size;
                Assert.True(last - first + 1 <= 2, $"{last - first + 1} pages for {limit} results after {offset}");
            }
        }
    }
}
