using System.Text;

namespace OrleansVoucher.Api.Bulk;

/// <summary>
/// Reads RFC 4180 CSV records one at a time from a text stream: fields separated by commas, records by
/// CRLF or LF; a quoted field may hold commas, line breaks and doubled quotes. Only the current record
/// is held, so a body of any length is read in constant memory.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, int maxRecordChars)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _field = new();
    private int _position;
    private int _length;

    /// <summary>The 1-based number of the line the last record started on.</summary>
    public long LineNumber { get; private set; }

    private long _nextLine = 1;

    /// <summary>
    /// Reads the next record into <paramref name="fields"/>; false at the end of the input. A malformed
    /// record (a quote inside an unquoted field, text after a closing quote, an unterminated quote, or a
    /// record over the length limit) is still returned, with an error saying what is wrong.
    /// </summary>
    public async ValueTask<(bool Read, string? Error)> ReadAsync(List<string> fields, CancellationToken cancellationToken)
    {
        fields.Clear();
        _field.Clear();
        LineNumber = _nextLine;
        string? error = null;
        var quoted = false;
        var inQuotes = false;
        var afterQuote = false;
        var any = false;
        var chars = 0;
        while (true)
        {
            if (_position == _length)
            {
                _length = await reader.ReadAsync(_buffer, cancellationToken);
                _position = 0;
                if (_length == 0)
                {
                    if (!any)
                    {
                        return (false, null);
                    }

                    if (inQuotes)
                    {
                        error ??= "A quoted field is not closed.";
                    }

                    fields.Add(_field.ToString());
                    return (true, error);
                }
            }

            var c = _buffer[_position++];
            any = true;
            if (++chars > maxRecordChars)
            {
                error ??= $"The record is longer than {maxRecordChars} characters.";
                _field.Clear();
            }

            if (inQuotes)
            {
                if (c == '"')
                {
                    inQuotes = false;
                    afterQuote = true;
                }
                else
                {
                    if (c == '\n')
                    {
                        _nextLine++;
                    }

                    Append(c, chars);
                }

                continue;
            }

            switch (c)
            {
                case '"' when afterQuote:
                    // A doubled quote inside a quoted field.
                    Append('"', chars);
                    inQuotes = true;
                    afterQuote = false;
                    break;
                case '"' when _field.Length == 0 && !quoted:
                    quoted = true;
                    inQuotes = true;
                    break;
                case '"':
                    error ??= "A quote appears inside an unquoted field.";
                    break;
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    quoted = false;
                    afterQuote = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    _nextLine++;
                    fields.Add(_field.ToString());
                    return (true, error);
                default:
                    if (afterQuote)
                    {
                        error ??= "Text follows a closing quote.";
                    }

                    Append(c, chars);
                    break;
            }
        }

        void Append(char c, int count)
        {
            if (count <= maxRecordChars)
            {
                _field.Append(c);
            }
        }
    }
}
