using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// Enforces each endpoint's body limit, whatever the server: a declared <c>Content-Length</c> over the
/// limit is refused at once, and one within it passes (the message cannot run past its length); a body
/// without a declared length is read into a rewindable buffer (memory, then a temporary file past
/// 64 KiB) and refused with 413 as soon as it passes the limit, and handlers and the idempotency check
/// then read the buffer. An endpoint that reads its body as it arrives (<see cref="RequestBodyLimit.Streamed"/>)
/// gets it unbuffered, counted as it is read: the read that passes the limit throws, and the request is
/// answered 413 unless the endpoint has begun its answer.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<RequestLimitsOptions> options, IProblemDetailsService problems)
{
    private const int MemoryThreshold = 64 * 1024;

    // Only a body read ahead needs async state of our own; every other request goes straight on.
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var hasBody = request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!hasBody || context.GetEndpoint() is not { } endpoint)
        {
            return next(context);
        }

        var limit = endpoint.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? options.Value.MaxJsonBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit)
        {
            // The server's own check stays as a backstop at the same limit.
            serverLimit.MaxRequestBodySize = Math.Max(limit, serverLimit.MaxRequestBodySize ?? 0);
        }

        if (request.ContentLength > limit)
        {
            return RejectAsync(context, limit);
        }

        // A declared length within the limit bounds the body: the message ends there, so there is
        // nothing to watch for, and the handler reads the server's own body, without a copy.
        if (request.ContentLength is not null)
        {
            return next(context);
        }

        return endpoint.Metadata.GetMetadata<RequestBodyLimit>() is { Streamed: true } ? CountAsReadAsync(context, limit) : ReadAheadAsync(context, limit);
    }

    /// <summary>Whether <paramref name="exception"/> reports a body past its limit (ours, or the server's own check).</summary>
    public static bool IsBodyTooLarge(Exception exception) =>
        exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };

    /// <summary>Gives the endpoint a body sent without a length as it arrives, refusing the read that passes the limit.</summary>
    private async Task CountAsReadAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        var body = request.Body;
        request.Body = new LimitedRequestBody(body, limit);
        try
        {
            await next(context);
        }
        catch (Exception exception) when (IsBodyTooLarge(exception) && !context.Response.HasStarted)
        {
            await RejectAsync(context, limit);
        }
        finally
        {
            request.Body = body;
        }
    }

    /// <summary>Reads a body sent without a length (chunked) into the buffer, refusing it as soon as it passes the limit.</summary>
    private async Task ReadAheadAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        request.EnableBuffering(MemoryThreshold, limit);
        try
        {
            await request.Body.DrainAsync(context.RequestAborted);
        }
        catch (IOException exception) when (!context.RequestAborted.IsCancellationRequested && (exception is not BadHttpRequestException || IsBodyTooLarge(exception)))
        {
            // The buffer refuses to grow past the limit; so does the server. The server's other
            // refusals (a malformed chunk) are the client's mistakes of their own, classified as such.
            await RejectAsync(context, limit);
            return;
        }

        request.Body.Position = 0;
        await next(context);
    }

    private async Task RejectAsync(HttpContext context, long limit)
    {
        context.Response.Headers.Connection = "close";
        await problems.WriteProblemAsync(
            context,
            StatusCodes.Status413PayloadTooLarge,
            ProblemCodes.PayloadTooLarge,
            $"The body is larger than the {limit} bytes this operation accepts.",
            new KeyValuePair<string, object?>("limit", limit));
    }
}
