using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansVoucher.LoadTests.Benchmarks.BulkIssue;

/// <summary>
/// A directed roster of <c>count</c> distinct workers as CSV, written to the request as it is sent
/// (chunked), so the client never holds it: <c>citizen_id,name,occupation_code,level</c>.
/// </summary>
internal sealed class RosterContent : HttpContent
{
    private readonly int _count;

    public RosterContent(int count)
    {
        _count = count;
        Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
    }

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var buffer = new StringBuilder(256 * 1024);
        buffer.Append("citizen_id,name,occupation_code,level\n");
        for (var i = 0; i < _count; i++)
        {
            buffer.Append(BulkIssueSetup.Citizen(i)).Append(",Worker ").Append(i.ToString(CultureInfo.InvariantCulture)).Append(',').Append(BulkIssueSetup.Occupation).Append(",5\n");
            if (buffer.Length >= 200 * 1024 || i == _count - 1)
            {
                var bytes = Encoding.UTF8.GetBytes(buffer.ToString());
                await stream.WriteAsync(bytes).ConfigureAwait(false);
                BytesWritten += bytes.Length;
                buffer.Clear();
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
