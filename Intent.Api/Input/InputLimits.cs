namespace Intent.Api.Input;

/// <summary>
/// Bounds on what a request may carry, checked before any endpoint runs (section <c>Input</c>).
/// They keep one request small to read and small to answer, whatever its content.
/// </summary>
public sealed class InputLimits
{
    public const string Section = "Input";

    /// <summary>Largest request body; a larger one answers 413.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Deepest nesting of objects and arrays in a JSON body.</summary>
    public int MaxDepth { get; set; } = 16;

    /// <summary>Most elements of one JSON array or properties of one JSON object (each field has its own, smaller limit).</summary>
    public int MaxItems { get; set; } = 1000;

    /// <summary>Longest query-string value.</summary>
    public int MaxQueryValueLength { get; set; } = 1024;
}
