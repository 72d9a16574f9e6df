namespace OrleansVoucher.LoadTests.Reporting;

/// <summary>
/// A text table with aligned columns: the first column left-aligned, the others right-aligned, so that
/// numbers line up by their last digit.
/// </summary>
internal sealed class ResultTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public string? Title { get; init; }

    public ResultTable AddRow(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"The table has {headers.Length} columns; the row has {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    public void WriteTo(TextWriter writer)
    {
        var widths = new int[headers.Length];
        for (var column = 0; column < headers.Length; column++)
        {
            widths[column] = headers[column].Length;
            foreach (var row in _rows)
            {
                widths[column] = Math.Max(widths[column], row[column].Length);
            }
        }

        if (Title is { } title)
        {
            writer.WriteLine(title);
        }

        WriteRow(writer, headers, widths);
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            WriteRow(writer, row, widths);
        }
    }

    private static void WriteRow(TextWriter writer, string[] cells, int[] widths)
    {
        var parts = new string[cells.Length];
        for (var column = 0; column < cells.Length; column++)
        {
            parts[column] = column == 0 ? cells[column].PadRight(widths[column]) : cells[column].PadLeft(widths[column]);
        }

        writer.WriteLine(string.Join("  ", parts).TrimEnd());
    }
}
