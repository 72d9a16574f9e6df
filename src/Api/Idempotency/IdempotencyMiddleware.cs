using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Metrics;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Grains;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Idempotency;

/// <summary>
/// Makes the endpoints marked with <see cref="IdempotencyMetadata"/> safe to retry, after the IETF
/// <c>Idempotency-Key</c> draft: the first request with a key runs and its response is stored; a retry
/// with the same key, method, path and body gets that response again (with <c>Idempotent-Replayed:
/// true</c>) without running; the same key with a different request is 422; a retry while the first is
/// still running is 409. Keys are per caller. Only responses that settle the request are stored:
/// success, and rejections by the programme's rules; a response that asks to retry (5xx, 429,
/// <c>Retry-After</c>) or reports a malformed request (400, 404, 413, 415, …) frees the key instead.
/// </summary>
internal sealed partial class IdempotencyMiddleware(
    RequestDelegate next,
    IGrainFactory grains,
    IOptions<IdempotencyOptions> options,
    IProblemDetailsService problems,
    ApiMetrics metrics,
    ILogger<IdempotencyMiddleware> logger)
{
    private static readonly string[] s_replayedHeaders = ["Location", "ETag", "Last-Modified", "Content-Language", "Cache-Control"];

    private static readonly HashSet<string> s_transientCodes =
    [
        ProblemCodes.Of(RejectionCode.ConcurrentOperation),
        ProblemCodes.RateLimited,
        ProblemCodes.Unavailable,
        ProblemCodes.IdempotencyKeyInFlight,
    ];

    // Requests to endpoints without idempotency keys, nearly all, go straight on: no async state of our own.
    public Task InvokeAsync(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IdempotencyMetadata>() is { } metadata
            ? InvokeIdempotentAsync(context, metadata)
            : next(context);

    private async Task InvokeIdempotentAsync(HttpContext context, IdempotencyMetadata metadata)
    {
        var header = context.Request.Headers[IdempotencyKeys.HeaderName];
        if (header.Count == 0)
        {
            if (metadata.Required)
            {
                await problems.WriteProblemAsync(context, StatusCodes.Status400BadRequest, ProblemCodes.InvalidIdempotencyKey, "This operation needs an Idempotency-Key header.");
                return;
            }

            await next(context);
            return;
        }

        if (header.Count > 1 || !IdempotencyKeys.TryRead(header[0], out var key))
        {
            await problems.WriteProblemAsync(context, StatusCodes.Status400BadRequest, ProblemCodes.InvalidIdempotencyKey, "The Idempotency-Key header must be one value of 1 to 255 printable ASCII characters.");
            return;
        }

        var principal = AccessScope.From(context.User)?.Principal ?? "anonymous";
        var fingerprint = IdempotencyKeys.Fingerprint(context.Request.Method, context.Request.Path + context.Request.QueryString, await ReadBodyAsync(context));
        var record = grains.GetGrain<IIdempotencyRecordGrain>(IdempotencyKeys.GrainKey(principal, key));
        var decision = await record.BeginAsync(fingerprint);
        switch (decision.Outcome)
        {
            case IdempotencyOutcome.Replay:
                metrics.IdempotencyReplays.Add(1);
                await ReplayAsync(context, decision.Response!);
                return;
            case IdempotencyOutcome.InFlight:
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter?.TotalSeconds ?? 1)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await problems.WriteProblemAsync(context, StatusCodes.Status409Conflict, ProblemCodes.IdempotencyKeyInFlight, "A request with this Idempotency-Key is still being processed; retry after it completes.");
                return;
            case IdempotencyOutcome.Mismatch:
                await problems.WriteProblemAsync(context, StatusCodes.Status422UnprocessableEntity, ProblemCodes.IdempotencyKeyReused, "This Idempotency-Key was used for a different request; use a new key for a new request.");
                return;
        }

        await RunAndRecordAsync(context, record, decision.Lease);
    }

    private async Task RunAndRecordAsync(HttpContext context, IIdempotencyRecordGrain record, Guid lease)
    {
        var original = context.Response.Body;
        using var capture = new CapturingStream(original, options.Value.MaxResponseBytes);
        context.Response.Body = capture;
        try
        {
            await next(context);
        }
        catch
        {
            await record.ReleaseAsync(lease);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        await RecordAsync(context.Response, capture, record, lease);
        if (!capture.Overflowed && !context.Response.HasStarted)
        {
            context.Response.ContentLength ??= capture.Captured.Length;
        }

        await capture.ReleaseAsync(context.RequestAborted);
    }

    private async Task RecordAsync(HttpResponse response, CapturingStream capture, IIdempotencyRecordGrain record, Guid lease)
    {
        if (!Settles(response.StatusCode, response.Headers.RetryAfter.Count > 0, ProblemCodeOf(response.ContentType, capture)))
        {
            await record.ReleaseAsync(lease);
            return;
        }

        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in s_replayedHeaders)
        {
            if (response.Headers.TryGetValue(name, out var values) && values.Count > 0)
            {
                headers[name] = values.ToArray()!;
            }
        }

        if (capture.Overflowed)
        {
            Log.ResponseTooLarge(logger, options.Value.MaxResponseBytes);
        }

        var stored = new IdempotentResponse(response.StatusCode, response.ContentType, capture.Overflowed ? [] : capture.Captured.ToArray(), headers, capture.Overflowed);
        if (!await record.CompleteAsync(lease, stored))
        {
            Log.LeaseLost(logger, options.Value.InFlightLease);
        }
    }

    /// <summary>Whether a response settles its request, so that retries get it again.</summary>
    internal static bool Settles(int status, bool hasRetryAfter, string? problemCode)
    {
        if (status >= 500 || hasRetryAfter || (problemCode is not null && s_transientCodes.Contains(problemCode)))
        {
            return false;
        }

        return status is < 400 or StatusCodes.Status409Conflict or StatusCodes.Status410Gone or StatusCodes.Status422UnprocessableEntity;
    }

    private static string? ProblemCodeOf(string? contentType, CapturingStream capture)
    {
        if (contentType?.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase) != true || capture.Overflowed)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(capture.Captured);
            return document.RootElement.TryGetProperty(ApiProblems.CodeMember, out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return [];
        }

        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        request.Body.Position = 0;
        return buffer.ToArray();
    }

    private static async Task ReplayAsync(HttpContext context, IdempotentResponse stored)
    {
        var response = context.Response;
        response.StatusCode = stored.StatusCode;
        foreach (var (name, values) in stored.Headers)
        {
            response.Headers[name] = values;
        }

        response.Headers[IdempotencyKeys.ReplayedHeaderName] = "true";
        if (stored.ContentType is not null && !stored.BodyOmitted)
        {
            response.ContentType = stored.ContentType;
        }

        response.ContentLength = stored.Body.Length;
        await response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }
}
