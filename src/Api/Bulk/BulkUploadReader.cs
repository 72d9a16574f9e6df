using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using OrleansVoucher.Grains.BulkIssuance;

namespace OrleansVoucher.Api.Bulk;

/// <summary>The upload cannot be read at all (e.g. its CSV header is wrong); nothing of it is stored.</summary>
internal sealed class BulkUploadException(string message) : Exception(message);

/// <summary>
/// Reads an uploaded roster as it arrives, row by row: CSV with a header row, or NDJSON with one object
/// per line. Each row is parsed and validated on its own; a row that cannot be read becomes a
/// rejection with its row number, and the rows after it are read on. Blank lines are skipped.
/// </summary>
internal static class BulkUploadReader
{
    private const int MaxRowChars = 16 * 1024;

    /// <summary>The rows of <paramref name="body"/>, each a row or a rejection, numbered from 1.</summary>
    public static IAsyncEnumerable<(BulkRow? Row, BulkRejection? Rejection)> ReadAsync(Stream body, BulkFormat format, BulkRowParser parser, CancellationToken cancellationToken)
    {
        var text = new StreamReader(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        return format == BulkFormat.Csv ? ReadCsvAsync(text, parser, cancellationToken) : ReadNdjsonAsync(text, parser, cancellationToken);
    }

    private static async IAsyncEnumerable<(BulkRow?, BulkRejection?)> ReadCsvAsync(TextReader text, BulkRowParser parser, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var csv = new CsvRecordReader(text, MaxRowChars);
        var fields = new List<string>();
        var (read, error) = await csv.ReadAsync(fields, cancellationToken);
        if (!read)
        {
            throw new BulkUploadException("The CSV upload is empty; it starts with a header row naming its columns, citizen_id among them.");
        }

        if (error is not null)
        {
            throw new BulkUploadException($"The CSV header cannot be read: {error}");
        }

        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            var name = BulkRowParser.Canonical(fields[i]);
            if (!BulkRowParser.Fields.Contains(name))
            {
                throw new BulkUploadException($"The CSV header names an unknown column '{fields[i]}'. Columns: citizen_id (required), name, occupation_code, level, institution_id, categories, household_region, residence_region, insurance.");
            }

            if (!columns.TryAdd(name, i))
            {
                throw new BulkUploadException($"The CSV header names column '{fields[i]}' twice.");
            }
        }

        if (!columns.ContainsKey(BulkRowParser.CitizenIdField))
        {
            throw new BulkUploadException("The CSV header has no citizen_id column.");
        }

        long rowNumber = 0;
        while (true)
        {
            (read, error) = await csv.ReadAsync(fields, cancellationToken);
            if (!read)
            {
                yield break;
            }

            if (error is null && fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            rowNumber++;
            if (error is not null || fields.Count != columns.Count)
            {
                var detail = error ?? $"The row has {fields.Count} fields; the header has {columns.Count}.";
                var citizen = columns.TryGetValue(BulkRowParser.CitizenIdField, out var at) && at < fields.Count && fields[at].Length is > 0 and <= 40 ? fields[at] : null;
                yield return (null, new BulkRejection(rowNumber, citizen, BulkRejectionCodes.MalformedRow, detail));
                continue;
            }

            yield return parser.Parse(rowNumber, name => columns.TryGetValue(name, out var index) ? fields[index] : null);
        }
    }

    private static async IAsyncEnumerable<(BulkRow?, BulkRejection?)> ReadNdjsonAsync(TextReader text, BulkRowParser parser, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = new BoundedLineReader(text, MaxRowChars);
        long rowNumber = 0;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await lines.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line.Text) && !line.TooLong)
            {
                continue;
            }

            rowNumber++;
            if (line.TooLong)
            {
                yield return (null, new BulkRejection(rowNumber, null, BulkRejectionCodes.MalformedRow, $"The line is longer than {MaxRowChars} characters."));
                continue;
            }

            values.Clear();
            if (ReadObject(line.Text, values) is { } problem)
            {
                yield return (null, new BulkRejection(rowNumber, values.GetValueOrDefault(BulkRowParser.CitizenIdField), BulkRejectionCodes.MalformedRow, problem));
                continue;
            }

            yield return parser.Parse(rowNumber, name => values.GetValueOrDefault(name));
        }
    }

    /// <summary>Reads one NDJSON object into field texts; returns what is wrong, or null.</summary>
    private static string? ReadObject(string line, Dictionary<string, string> values)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "The line is not a JSON object.";
            }

            foreach (var member in document.RootElement.EnumerateObject())
            {
                var name = BulkRowParser.Canonical(member.Name);
                if (!BulkRowParser.Fields.Contains(name))
                {
                    return $"Unknown field '{member.Name}'.";
                }

                if (values.ContainsKey(name))
                {
                    return $"Field '{member.Name}' appears twice.";
                }

                var value = member.Value;
                switch (name)
                {
                    case BulkRowParser.CategoriesField when value.ValueKind == JsonValueKind.Array:
                        var categories = new List<string>();
                        foreach (var category in value.EnumerateArray())
                        {
                            if (category.ValueKind != JsonValueKind.String || category.GetString()!.Contains(';', StringComparison.Ordinal))
                            {
                                return "Categories are strings without ';'.";
                            }

                            categories.Add(category.GetString()!);
                        }

                        values[name] = string.Join(';', categories);
                        break;
                    case BulkRowParser.InsuranceField when value.ValueKind == JsonValueKind.Array:
                        var records = new List<string>();
                        foreach (var record in value.EnumerateArray())
                        {
                            if (record.ValueKind != JsonValueKind.Object
                                || !record.TryGetProperty("regionCode", out var region) || region.ValueKind != JsonValueKind.String
                                || !record.TryGetProperty("months", out var months) || !months.TryGetInt32(out var count))
                            {
                                return "Insurance records are objects with a regionCode string and a months integer.";
                            }

                            records.Add($"{region.GetString()}:{count.ToString(CultureInfo.InvariantCulture)}");
                        }

                        values[name] = string.Join(';', records);
                        break;
                    case BulkRowParser.LevelField when value.ValueKind == JsonValueKind.Number:
                        values[name] = value.GetRawText();
                        break;
                    case BulkRowParser.CategoriesField or BulkRowParser.InsuranceField:
                        return $"Field '{member.Name}' must be an array.";
                    default:
                        if (value.ValueKind == JsonValueKind.Null)
                        {
                            break;
                        }

                        if (value.ValueKind != JsonValueKind.String)
                        {
                            return $"Field '{member.Name}' must be a string.";
                        }

                        values[name] = value.GetString()!;
                        break;
                }
            }

            return null;
        }
        catch (JsonException exception)
        {
            return $"The line is not valid JSON: {exception.Message}";
        }
        catch (InvalidOperationException)
        {
            // Well-formed JSON can escape half of a surrogate pair (\ud800), which no text holds: reading it throws.
            return "The line escapes a character that is not valid Unicode (half of a surrogate pair).";
        }
    }

    /// <summary>A line, or the fact that it was longer than allowed (its text is then dropped).</summary>
    private readonly record struct Line(string Text, bool TooLong);

    /// <summary>Reads lines without ever holding more than the limit of one.</summary>
    private sealed class BoundedLineReader(TextReader reader, int maxChars)
    {
        private readonly char[] _buffer = new char[64 * 1024];
        private readonly StringBuilder _line = new();
        private int _position;
        private int _length;

        public async ValueTask<Line?> ReadLineAsync(CancellationToken cancellationToken)
        {
            _line.Clear();
            var tooLong = false;
            var any = false;
            while (true)
            {
                if (_position == _length)
                {
                    _length = await reader.ReadAsync(_buffer, cancellationToken);
                    _position = 0;
                    if (_length == 0)
                    {
                        return any ? new Line(_line.ToString(), tooLong) : null;
                    }
                }

                var newline = Array.IndexOf(_buffer, '\n', _position, _length - _position);
                var end = newline < 0 ? _length : newline;
                var count = end - _position;
                any = true;
                if (!tooLong && _line.Length + count <= maxChars)
                {
                    _line.Append(_buffer, _position, count);
                }
                else
                {
                    tooLong = true;
                    _line.Clear();
                }

                _position = newline < 0 ? _length : newline + 1;
                if (newline >= 0)
                {
                    if (_line.Length > 0 && _line[^1] == '\r')
                    {
                        _line.Length--;
                    }

                    return new Line(_line.ToString(), tooLong);
                }
            }
        }
    }
}
