namespace OrleansVoucher.LoadTests.Runner;

/// <summary>
/// What one invocation of a scenario (or one step of it) produced: ok or failed, with an optional status
/// code (an HTTP status, or any short code the scenario uses), a failure reason and the bytes it moved.
/// </summary>
public sealed class Response
{
    private static readonly Response s_ok = new(true, null, null, 0);

    private Response(bool isOk, string? statusCode, string? reason, long sizeBytes)
    {
        IsOk = isOk;
        StatusCode = statusCode;
        Reason = reason;
        SizeBytes = sizeBytes;
    }

    /// <summary>Whether the invocation succeeded; only successful invocations count in the latency percentiles.</summary>
    public bool IsOk { get; }

    /// <summary>Whether the invocation failed.</summary>
    public bool IsError => !IsOk;

    /// <summary>The status code (e.g. <c>200</c>, <c>503</c>), or null; counted per code in the reports.</summary>
    public string? StatusCode { get; }

    /// <summary>Why it failed (or a note on a success); failures are counted per reason.</summary>
    public string? Reason { get; }

    /// <summary>Bytes sent and received, summed into the data transferred.</summary>
    public long SizeBytes { get; }

    /// <summary>A success.</summary>
    public static Response Ok() => s_ok;

    /// <summary>A success with a status code, size and note.</summary>
    public static Response Ok(string? statusCode = null, long sizeBytes = 0, string? message = null) =>
        statusCode is null && sizeBytes == 0 && message is null ? s_ok : new(true, statusCode, message, sizeBytes);

    /// <summary>A failure, counted under <paramref name="reason"/> and, when given, <paramref name="statusCode"/>.</summary>
    public static Response Fail(string reason, string? statusCode = null, long sizeBytes = 0) =>
        new(false, statusCode, string.IsNullOrWhiteSpace(reason) ? "unspecified failure" : reason, sizeBytes);

    /// <summary>A failure for an exception the scenario threw: its type and message.</summary>
    public static Response Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Fail(ReasonOf(exception));
    }

    /// <summary>The reason the reports give for an exception: <c>Type: message</c>, on one line.</summary>
    public static string ReasonOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message.ReplaceLineEndings(" ");
        return $"{exception.GetType().Name}: {message}";
    }

    /// <inheritdoc />
    public override string ToString() =>
        (IsOk ? "ok" : "fail") + (StatusCode is null ? string.Empty : $" {StatusCode}") + (Reason is null ? string.Empty : $" ({Reason})");
}
