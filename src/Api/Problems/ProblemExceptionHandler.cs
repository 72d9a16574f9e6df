using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using OrleansVoucher.Grains;
using OrleansVoucher.Silo;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// Turns exceptions into problem documents. A request the client got wrong (unreadable JSON, an
/// unknown field, a wrong type, a wrong content type, a value that does not bind) is a 4xx with the
/// matching code, logged at debug; anything else is a 500 <c>internal-error</c> that says nothing of
/// the engine's insides, logged as an error. A lost race between engine processes over the same grain
/// state is a 409 <c>concurrent-operation</c> and a grain call that timed out a 503 <c>unavailable</c>,
/// both with <c>Retry-After</c>: retrying is the remedy.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = Classify(exception);
        if (status >= 500)
        {
            Log.Unhandled(logger, exception, httpContext.Request.Method, RouteOf(httpContext));
        }
        else
        {
            Log.ClientError(logger, code, httpContext.Request.Method, RouteOf(httpContext));
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        if (status is StatusCodes.Status409Conflict or StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Type = ProblemTypes.For(code),
                Title = ApiProblems.TitleOf(code),
                Detail = detail,
                Extensions = { [ApiProblems.CodeMember] = code },
            },
        });
    }

    /// <summary>The status, code and client-facing detail for an exception.</summary>
    public static (int Status, string Code, string? Detail) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => ClassifyJson(json),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, ProblemCodes.PayloadTooLarge, "The body is larger than the operation accepts."),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            (415, ProblemCodes.UnsupportedMediaType, "Send the body as application/json."),
        BadHttpRequestException bad when bad.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal)
            || bad.Message.Contains("from the request body", StringComparison.Ordinal) =>
            (400, ProblemCodes.MissingBody, "The operation needs a JSON body."),
        BadHttpRequestException { StatusCode: >= 400 and < 500 } bad =>
            (bad.StatusCode, ProblemDetailsSetup.DefaultCodeFor(bad.StatusCode), "A route, query or header value, or the body's framing, could not be read."),

        // Reading JSON in the charset the Content-Type names, when no encoding has that name.
        InvalidOperationException { InnerException: ArgumentException } unknown when unknown.Message.Contains("charset", StringComparison.Ordinal) =>
            (415, ProblemCodes.UnsupportedMediaType, "Send the body as application/json in UTF-8; the charset named is not one the engine knows."),
        InconsistentStateException => (409, ProblemCodes.Of(RejectionCode.ConcurrentOperation), "Another request changed the same records at the same moment; retry."),
        GrainCallTimeoutException => (503, ProblemCodes.Unavailable, "The engine did not answer in time; retry."),
        OperationCanceledException => (499, ProblemCodes.BadRequest, "The request was cancelled."),
        _ => (500, ProblemCodes.InternalError, "The engine failed to process the request. Quote the traceId when reporting it."),
    };

    private static (int, string, string?) ClassifyJson(JsonException json)
    {
        var path = string.IsNullOrEmpty(json.Path) ? "" : $" ({json.Path})";
        var message = json.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return (400, ProblemCodes.UnknownField, $"The body has a field the operation does not accept{path}.");
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            return (400, ProblemCodes.MissingField, $"The body lacks a required field{path}.");
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal) || message.Contains("null values", StringComparison.Ordinal))
        {
            return (400, ProblemCodes.InvalidFieldType, $"A field has a value of the wrong type{path}.");
        }

        return (400, ProblemCodes.MalformedJson, $"The body is not well-formed JSON{path}.");
    }

    private static string RouteOf(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
}
