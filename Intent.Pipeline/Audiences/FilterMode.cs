namespace Intent.Pipeline.Audiences;

/// <summary>Whether a person must match any or all of a filter's values.</summary>
public enum FilterMode
{
    Any,
    All,
}
