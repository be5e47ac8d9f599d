namespace Intent.Pipeline.Audiences;

/// <summary>What value a filter takes: <c>{"values": [...], "mode": "any|all"}</c> or a boolean.</summary>
public enum FilterKind
{
    Values,
    Boolean,
}
