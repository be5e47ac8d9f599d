namespace Intent.Pipeline.Audiences;

/// <summary>How a filter tests its column of <c>people</c>.</summary>
public enum FilterMatch
{
    /// <summary>The lower-cased column equals any (or all) of the values.</summary>
    Equals,

    /// <summary>The lower-cased column contains any (or all) of the values.</summary>
    Contains,

    /// <summary>The lower-cased column contains none (or not all) of the values; a missing column passes.</summary>
    Excludes,

    /// <summary>The boolean column equals the filter's flag.</summary>
    IsTrue,

    /// <summary>Whether the column is filled equals the filter's flag.</summary>
    IsPresent,

    /// <summary>
    /// Whether the lower-cased column matches the filter's regular expression equals the filter's flag: a flag
    /// derived from another field (a CEO from the job title); a missing column does not match.
    /// </summary>
    Pattern,
}
