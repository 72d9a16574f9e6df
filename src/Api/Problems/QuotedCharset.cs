using Microsoft.Net.Http.Headers;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// Reads a quoted charset (<c>application/json; charset="utf-8"</c>) as the same charset unquoted, as
/// RFC 9110 (5.6.6) has it. The framework's JSON reader looks the charset up with its quotes, finds no
/// such encoding, and the request would be refused with 415 for a charset it does know.
/// </summary>
internal static class QuotedCharset
{
    /// <summary>Unquotes the charset of the request's <c>Content-Type</c>, if quoted, and goes on.</summary>
    public static Task UnquoteAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var contentType = context.Request.ContentType;
        if (contentType is not null
            && contentType.Contains('"', StringComparison.Ordinal)
            && MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            && mediaType.Charset is { HasValue: true } charset
            && charset.StartsWith("\"", StringComparison.Ordinal))
        {
            mediaType.Charset = HeaderUtilities.RemoveQuotes(charset);
            context.Request.ContentType = mediaType.ToString();
        }

        return next(context);
    }
}
