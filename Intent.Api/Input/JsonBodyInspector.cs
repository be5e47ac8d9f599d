using System.Text;
using System.Text.Json;

namespace Intent.Api.Input;

/// <summary>
/// One forward pass over a JSON body that refuses what no endpoint can store or should examine:
/// text with NUL or unpaired surrogates (PostgreSQL rejects the first, .NET cannot decode the second),
/// repeated keys, nesting deeper than the limit, and arrays or objects longer than the limit. It runs
/// before model binding, so no handler ever sees such a body.
/// </summary>
public static class JsonBodyInspector
{
    public static InputProblem? Inspect(ReadOnlySpan<byte> json, int maxDepth, int maxItems)
    {
        // The reader's own depth check fires one level past ours, so ours names the field.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth + 1 });
        var path = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (Count(path, maxItems) is { } crowded)
                        {
                            return crowded;
                        }

                        if (path.Count >= maxDepth)
                        {
                            return new InputProblem(PathOf(path), $"is nested deeper than {maxDepth} levels");
                        }

                        path.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var frame = path[^1];
                        if (!TryReadText(ref reader, out var name))
                        {
                            frame.Property = null;
                            return new InputProblem(PathOf(path), "has a key that is not valid Unicode text (an unpaired surrogate or invalid UTF-8)");
                        }

                        frame.Property = name;
                        if (name.Contains('\0', StringComparison.Ordinal))
                        {
                            return new InputProblem(PathOf(path), "is a key containing a NUL character");
                        }

                        frame.Names ??= new HashSet<string>(StringComparer.Ordinal);
                        if (!frame.Names.Add(name))
                        {
                            return new InputProblem(PathOf(path), "is repeated; each key may appear once");
                        }

                        if (frame.Names.Count > maxItems)
                        {
                            return new InputProblem(PathOf(path[..^1]), $"has more than {maxItems} keys");
                        }

                        break;
                    default:
                        if (Count(path, maxItems) is { } full)
                        {
                            return full;
                        }

                        if (reader.TokenType == JsonTokenType.String)
                        {
                            if (!TryReadText(ref reader, out var text))
                            {
                                return new InputProblem(PathOf(path), "is not valid Unicode text (an unpaired surrogate or invalid UTF-8)");
                            }

                            if (text.Contains('\0', StringComparison.Ordinal))
                            {
                                return new InputProblem(PathOf(path), "must not contain NUL characters");
                            }
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            return new InputProblem("body", "is not valid JSON");
        }

        return null;
    }

    // An array element is counted when it starts; the limit is checked before the element is examined.
    private static InputProblem? Count(List<Frame> path, int maxItems)
    {
        if (path.Count == 0 || !path[^1].IsArray)
        {
            return null;
        }

        var frame = path[^1];
        frame.Index++;
        return frame.Index >= maxItems
            ? new InputProblem(PathOf(path[..^1]), $"has more than {maxItems} elements")
            : null;
    }

    private static bool TryReadText(ref Utf8JsonReader reader, out string text)
    {
        try
        {
            text = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    private static string PathOf(List<Frame> path)
    {
        var text = new StringBuilder();
        foreach (var frame in path)
        {
            if (frame.IsArray)
            {
                if (frame.Index >= 0)
                {
                    text.Append('[').Append(frame.Index).Append(']');
                }
            }
            else if (frame.Property is { } property)
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append(Printable(property));
            }
        }

        return text.Length == 0 ? "body" : text.ToString();
    }

    // A field name goes back to the caller: never echo control characters or a key of unbounded length.
    private static string Printable(string name)
    {
        var clean = new string([.. name.Take(64).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c)]);
        return name.Length > 64 ? clean + "..." : clean;
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;

        public int Index { get; set; } = -1;

        public string? Property { get; set; }

        public HashSet<string>? Names { get; set; }
    }
}
