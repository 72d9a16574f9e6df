using System.Collections.Frozen;
using System.Diagnostics;
using OrleansVoucher.Api.Metrics;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// Finishes every problem document the host writes — from handlers, the exception handler, the status
/// code pages, authentication and rate limiting — with our <c>type</c>, <c>code</c>, a title, a detail
/// and the <c>traceId</c>, so no error leaves without a stable code.
/// </summary>
internal static class ProblemDetailsSetup
{
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var code = problem.Extensions.TryGetValue(ApiProblems.CodeMember, out var value) && value is string given && given.Length > 0
            ? given
            : ProblemTypes.CodeOf(problem.Type) ?? DefaultCodeFor(status);
        problem.Status = status;
        problem.Type = ProblemTypes.For(code);
        problem.Extensions[ApiProblems.CodeMember] = code;
        if (problem.Title is null || ReasonPhraseTitles(status).Contains(problem.Title))
        {
            problem.Title = ApiProblems.TitleOf(code);
        }

        problem.Detail ??= DefaultDetailFor(code);
        if (status == StatusCodes.Status405MethodNotAllowed)
        {
            WithHead(context.HttpContext.Response.Headers);
        }

        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        context.HttpContext.RequestServices.GetService<ApiMetrics>()?.Problems.Add(1, new KeyValuePair<string, object?>("code", code));
    }

    /// <summary>
    /// Adds <c>HEAD</c> to a 405's <c>Allow</c> wherever it names <c>GET</c>: routing lists the methods
    /// mapped, and <c>HEAD</c> is answered wherever <c>GET</c> is (<see cref="Hosting.HeadRequestMiddleware"/>).
    /// </summary>
    private static void WithHead(IHeaderDictionary headers)
    {
        var allow = headers.Allow.ToString();
        var methods = allow.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (methods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase) && !methods.Contains(HttpMethods.Head, StringComparer.OrdinalIgnoreCase))
        {
            headers.Allow = string.Join(", ", [.. methods, HttpMethods.Head]);
        }
    }

    /// <summary>The code of a problem that was written with a status and nothing else.</summary>
    public static string DefaultCodeFor(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => ProblemCodes.AuthenticationRequired,
        StatusCodes.Status403Forbidden => ProblemCodes.Forbidden,
        StatusCodes.Status404NotFound => ProblemCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ProblemCodes.MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => ProblemCodes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ProblemCodes.UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => ProblemCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable => ProblemCodes.Unavailable,
        >= 500 => ProblemCodes.InternalError,
        _ => ProblemCodes.BadRequest,
    };

    /// <summary>
    /// The detail of a problem the host wrote without one — routing's 404 and 405, the framework's 415 —
    /// so that every problem says what to do about it.
    /// </summary>
    public static string DefaultDetailFor(string code) => code switch
    {
        ProblemCodes.NotFound => "No operation is served at this path; the OpenAPI document at /openapi/v1.json lists them.",
        ProblemCodes.MethodNotAllowed => "This path does not take this method; the Allow header lists those it does.",
        ProblemCodes.UnsupportedMediaType => "This operation does not take a body of this media type: JSON bodies are application/json, bulk issuance uploads text/csv or application/x-ndjson.",
        ProblemCodes.PayloadTooLarge => "The body is larger than the operation accepts.",
        ProblemCodes.BadRequest => "A route, query or header value, or the body's framing, could not be read.",
        ProblemCodes.AuthenticationRequired => "Send a bearer token in the Authorization header.",
        ProblemCodes.Forbidden => "This operation is not open to the token's role.",
        ProblemCodes.RateLimited => "Too many requests; retry after the Retry-After seconds.",
        ProblemCodes.Unavailable => "The engine cannot answer now; retry.",
        ProblemCodes.InternalError => "The engine failed to process the request. Quote the traceId when reporting it.",
        _ => ApiProblems.TitleOf(code) + ".",
    };

    // The titles ProblemDetailsDefaults and the reason phrases fill in: replaced by our code's title.
    private static string[] ReasonPhraseTitles(int status) => s_reasonPhraseTitles.TryGetValue(status, out var titles) ? titles : [];

    // Made once, not on every problem.
    private static readonly FrozenDictionary<int, string[]> s_reasonPhraseTitles = new Dictionary<int, string[]>
    {
        [400] = ["Bad Request"],
        [401] = ["Unauthorized"],
        [403] = ["Forbidden"],
        [404] = ["Not Found"],
        [405] = ["Method Not Allowed"],
        [406] = ["Not Acceptable"],
        [408] = ["Request Timeout"],
        [409] = ["Conflict"],
        [412] = ["Precondition Failed"],
        [413] = ["Payload Too Large", "Content Too Large", "Request Entity Too Large"],
        [415] = ["Unsupported Media Type"],
        [422] = ["Unprocessable Entity", "Unprocessable Content"],
        [429] = ["Too Many Requests"],
        [500] = ["An error occurred while processing your request.", "Internal Server Error"],
        [502] = ["Bad Gateway"],
        [503] = ["Service Unavailable"],
        [504] = ["Gateway Timeout"],
    }.ToFrozenDictionary();
}
