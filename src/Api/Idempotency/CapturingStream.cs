namespace OrleansVoucher.Api.Idempotency;

/// <summary>
/// A response body held back while an idempotent request runs, so that its record is stored before
/// the client sees the response (a client that has the response and retries then always gets the
/// replay). Past <c>limit</c> bytes it gives up holding back: what it holds and everything after is
/// written through, and <see cref="Overflowed"/> tells the record to keep status and headers only.
/// </summary>
internal sealed class CapturingStream(Stream inner, int limit) : Stream
{
    private readonly MemoryStream _captured = new();

    /// <summary>The bytes held back.</summary>
    public ReadOnlyMemory<byte> Captured => _captured.GetBuffer().AsMemory(0, (int)_captured.Length);

    /// <summary>Whether more than the limit was written, so the body went through as it came.</summary>
    public bool Overflowed { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
        if (Overflowed)
        {
            inner.Flush();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Overflowed ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Overflowed && _captured.Length + buffer.Length <= limit)
        {
            _captured.Write(buffer.Span);
            return;
        }

        if (!Overflowed)
        {
            Overflowed = true;
            await inner.WriteAsync(Captured, cancellationToken);
            _captured.SetLength(0);
        }

        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Writes what was held back to the real body.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (!Overflowed && _captured.Length > 0)
        {
            await inner.WriteAsync(Captured, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _captured.Dispose();
        }

        base.Dispose(disposing);
    }
}
