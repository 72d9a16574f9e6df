using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace OrleansVoucher.Silo.Storage.PostgreSql;

/// <summary>
/// Rows for a <c>COPY … FROM STDIN (FORMAT BINARY)</c>, encoded by the store into a pooled buffer and
/// sent through Npgsql's raw copy stream in writes of tens of kilobytes. The store copies four column
/// types (<c>text</c>, <c>bigint</c>, <c>bytea</c>, <c>timestamptz</c>), and encodes them as Npgsql's
/// binary importer does — the same bytes reach the server — without the importer's converter lookup
/// and asynchronous call per field, which cost a bulk job's engine more than the rows' own bytes.
/// </summary>
/// <remarks>
/// The format (PostgreSQL's "Binary Format" of <c>COPY</c>): an 11-byte signature, a 32-bit flags field
/// and a 32-bit header extension length; per row a 16-bit field count, then per field a 32-bit length
/// (−1 for NULL) and the value in its type's binary send format; a 16-bit −1 ends the data. Integers are
/// big-endian. A copy disposed before <see cref="CompleteAsync"/> is cancelled: nothing of it is kept.
/// </remarks>
internal sealed class BinaryCopyRows : IAsyncDisposable
{
    /// <summary>Buffered bytes at which <see cref="FlushIfFullAsync"/> sends them.</summary>
    internal const int FlushAt = 64 * 1024;

    /// <summary>2000-01-01T00:00:00Z, PostgreSQL's epoch for timestamps, in .NET ticks.</summary>
    private const long PostgresEpochTicks = 630_822_816_000_000_000;

    /// <summary>The format's signature: "PGCOPY", newline, 0xFF, carriage return, newline, zero.</summary>
    private static ReadOnlySpan<byte> Signature => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    // Strict, as Npgsql's text encoding is: a string that is not valid UTF-16 fails here, not in the server.
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly NpgsqlRawCopyStream _stream;
    private byte[] _buffer;
    private int _length;
    private bool _ended;

    private BinaryCopyRows(NpgsqlRawCopyStream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(FlushAt * 2);
        Signature.CopyTo(_buffer);
        _length = Signature.Length;
        WriteInt32(0); // flags: no OIDs
        WriteInt32(0); // no header extension
    }

    /// <summary>Starts the copy; <paramref name="copyCommand"/> is a <c>COPY … FROM STDIN (FORMAT BINARY)</c>.</summary>
    public static async Task<BinaryCopyRows> BeginAsync(NpgsqlConnection connection, string copyCommand)
    {
        var stream = await connection.BeginRawBinaryCopyAsync(copyCommand).ConfigureAwait(false);
        return new BinaryCopyRows(stream);
    }

    /// <summary>Starts a row of <paramref name="fields"/> fields (the copy's column count).</summary>
    public void StartRow(short fields) => WriteInt16(fields);

    /// <summary>A <c>text</c> field, in UTF-8.</summary>
    public void WriteText(string value)
    {
        Reserve(4 + s_utf8.GetMaxByteCount(value.Length));
        var count = s_utf8.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), count);
        _length += 4 + count;
    }

    /// <summary>A <c>bigint</c> field.</summary>
    public void WriteBigint(long value)
    {
        WriteInt32(8);
        Reserve(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>A <c>bytea</c> field; NULL when <paramref name="value"/> is null.</summary>
    public void WriteBytea(byte[]? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }

        Reserve(4 + value.Length);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value.Length);
        value.CopyTo(_buffer, _length + 4);
        _length += 4 + value.Length;
    }

    /// <summary>
    /// A <c>timestamptz</c> field from a UTC time: microseconds since 2000-01-01 UTC (ticks truncated, as
    /// Npgsql does), <see cref="DateTime.MaxValue"/> and <see cref="DateTime.MinValue"/> as infinity and
    /// −infinity whatever their kind (Npgsql's default mapping).
    /// </summary>
    public void WriteTimestampTz(DateTime utc)
    {
        if (utc == DateTime.MaxValue || utc == DateTime.MinValue)
        {
            WriteBigint(utc == DateTime.MaxValue ? long.MaxValue : long.MinValue);
            return;
        }

        if (utc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"A timestamptz is written from a UTC time, not one of kind {utc.Kind}.", nameof(utc));
        }

        WriteBigint((utc.Ticks - PostgresEpochTicks) / 10);
    }

    /// <summary>A NULL field.</summary>
    public void WriteNull() => WriteInt32(-1);

    /// <summary>Sends the buffered rows once they fill a write; call between rows.</summary>
    public ValueTask FlushIfFullAsync() => _length >= FlushAt ? FlushAsync() : default;

    /// <summary>
    /// Ends the data and the copy. A constraint the rows break (a unique violation) is thrown here as the
    /// server's <see cref="PostgresException"/>.
    /// </summary>
    public async Task CompleteAsync()
    {
        WriteInt16(-1);
        await FlushAsync().ConfigureAwait(false);
        _ended = true;
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        var buffer = _buffer;
        _buffer = [];
        try
        {
            if (!_ended)
            {
                _ended = true;
                await _stream.CancelAsync().ConfigureAwait(false);
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async ValueTask FlushAsync()
    {
        await _stream.WriteAsync(_buffer.AsMemory(0, _length)).ConfigureAwait(false);
        _length = 0;
    }

    private void WriteInt16(short value)
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    private void WriteInt32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more (a row larger than the buffer grows it).</summary>
    private void Reserve(int bytes)
    {
        if (_length + bytes <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + bytes));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
