using System.Buffers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Intent.Data.Runs;
using Npgsql;

namespace Intent.Pipeline.Exports;

/// <summary>
/// A snapshot's people as RFC 4180 CSV with a header row, produced by PostgreSQL's COPY and streamed:
/// memory stays bounded whatever the size. COPY ends records with LF; they are rewritten to CRLF on
/// the way through, and records are counted and the bytes hashed as they pass. Values a spreadsheet
/// would evaluate as formulas are neutralized in the query unless turned off (<see cref="CsvFormulaGuard"/>).
/// </summary>
public static partial class ExportCsv
{
    public sealed record Written(long ByteSize, long RowCount, string Sha256);

    /// <summary>Streams the snapshot's CSV from <paramref name="connection"/> into <paramref name="destination"/> as UTF-8.</summary>
    public static async Task<Written> CopyAsync(NpgsqlConnection connection, string resultKey, bool neutralizeFormulas, Stream destination,
        CancellationToken cancellationToken)
    {
        using var source = await connection.BeginTextExportAsync(CopyCommand(resultKey, neutralizeFormulas), cancellationToken);
        return await ToRfc4180Async(source, destination, cancellationToken);
    }

    /// <summary>
    /// The COPY statement; the key is checked to be a result key (hex) because COPY takes no parameters. Members are
    /// ranked before they meet <c>people</c>: a sort of narrow rows whose order the join keeps, not one of whole CSV rows.
    /// </summary>
    public static string CopyCommand(string resultKey, bool neutralizeFormulas)
    {
        if (!ResultKeyPattern().IsMatch(resultKey))
        {
            throw new ArgumentException("not a result key", nameof(resultKey));
        }

        var columns = string.Join(", ", ResultFields.All.Select(f => f.Column switch
        {
            "is_decision_maker" => $"p.{f.Column}::text AS \"{f.Name}\"",
            _ when neutralizeFormulas && CsvFormulaGuard.Columns.ContainsKey(f.Column) => $"{CsvFormulaGuard.Neutralized(f.Column, $"p.{f.Column}")} AS \"{f.Name}\"",
            _ => $"p.{f.Column} AS \"{f.Name}\"",
        }));
        var forceQuote = neutralizeFormulas
            ? $", FORCE_QUOTE ({string.Join(", ", ResultFields.All.Where(f => CsvFormulaGuard.Columns.ContainsKey(f.Column)).Select(f => $"\"{f.Name}\""))})"
            : "";
        return $"""
            COPY (
                SELECT m.rank AS "rank", {columns},
                       m.intent_score AS "intentScore", m.topic_overlap AS "topicOverlap",
                       array_to_string(m.matched_topic_ids, ';') AS "matchedTopicIds"
                FROM (SELECT * FROM {SnapshotPages.Members($"(SELECT s.id FROM audience_snapshots s WHERE s.result_key = '{resultKey}')")} ORDER BY m.rank) m
                    JOIN people p ON p.person_id = m.person_id
                ORDER BY m.rank
            ) TO STDOUT WITH (FORMAT csv, HEADER true{forceQuote})
            """;
    }

    /// <summary>
    /// Copies CSV text as UTF-8, turning record-ending LFs (outside quotes) into CRLF; counts data records
    /// (not the header) and hashes the bytes written.
    /// </summary>
    public static async Task<Written> ToRfc4180Async(TextReader source, Stream destination, CancellationToken cancellationToken)
    {
        const int Chunk = 1 << 15;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var encoder = Utf8.GetEncoder();
        var input = ArrayPool<char>.Shared.Rent(Chunk);
        var text = ArrayPool<char>.Shared.Rent(2 * Chunk);
        var output = ArrayPool<byte>.Shared.Rent(Utf8.GetMaxByteCount(2 * Chunk));
        long bytes = 0, records = 0;
        var quoted = false;
        try
        {
            int read;
            while ((read = await source.ReadAsync(input.AsMemory(0, Chunk), cancellationToken)) > 0)
            {
                var length = 0;
                for (var i = 0; i < read; i++)
                {
                    var c = input[i];
                    if (c == '"')
                    {
                        quoted = !quoted;
                    }
                    else if (c == '\n' && !quoted)
                    {
                        text[length++] = '\r';
                        records++;
                    }

                    text[length++] = c;
                }

                var encoded = encoder.GetBytes(text, 0, length, output, 0, flush: false);
                hash.AppendData(output, 0, encoded);
                await destination.WriteAsync(output.AsMemory(0, encoded), cancellationToken);
                bytes += encoded;
            }

            var tail = encoder.GetBytes([], 0, 0, output, 0, flush: true);
            hash.AppendData(output, 0, tail);
            await destination.WriteAsync(output.AsMemory(0, tail), cancellationToken);
            bytes += tail;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(input);
            ArrayPool<char>.Shared.Return(text);
            ArrayPool<byte>.Shared.Return(output);
        }

        return new Written(bytes, Math.Max(0, records - 1), Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static readonly System.Text.UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex ResultKeyPattern();
}
