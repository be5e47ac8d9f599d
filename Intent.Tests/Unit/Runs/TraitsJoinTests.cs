using Intent.Pipeline.Audiences;
using Intent.Pipeline.Runs;

namespace Intent.Tests.Unit.Runs;

/// <summary>
/// The traits as runs and previews read them from their pages: every column a filter's condition names, under its
/// <c>people_traits</c> name and meaning, picked by the candidate's slot, and nothing for a slot without a person.
/// </summary>
public sealed class TraitsJoinTests
{
    private const string Slot = "(m.person_id & 1023)::integer - tp.first_slot + 1";

    [Fact]
    public void Every_column_a_filter_names_is_exposed_from_the_candidates_page()
    {
        var join = AudienceMaterializer.TraitsJoin("m");
        var columns = FilterCatalog.Filters.Values.Where(f => f.Match != FilterMatch.IsPresent).Select(f => f.Column).Distinct().ToList();
        Assert.NotEmpty(columns);

        foreach (var column in columns.Where(c => c != "is_decision_maker"))
        {
            Assert.Contains($"tp.{column} || '{{}}'::integer[] AS {column}", join, StringComparison.Ordinal);
            Assert.Contains($"nullif(tp.{column}[{Slot}], 0) AS {column}", join, StringComparison.Ordinal);
        }

        Assert.Contains($"tp.filled[{Slot}] AS filled", join, StringComparison.Ordinal);
        Assert.Contains($"CASE tp.is_decision_maker[{Slot}] WHEN 1 THEN true WHEN 2 THEN false END AS is_decision_maker", join, StringComparison.Ordinal);
    }

    [Fact]
    public void Pages_are_joined_on_the_page_number_read_once_and_slots_without_a_person_are_dropped()
    {
        var join = AudienceMaterializer.TraitsJoin("c");

        Assert.Contains("FROM people_traits_pages tp OFFSET 0) tp ON tp.page = c.person_id >> 10", join, StringComparison.Ordinal);
        Assert.Contains("WHERE tp.filled[(c.person_id & 1023)::integer - tp.first_slot + 1] >= 0) p", join, StringComparison.Ordinal);
        Assert.DoesNotContain("people_traits p", join, StringComparison.Ordinal);
    }
}
