using System.Diagnostics;
using System.Globalization;
using OrleansVoucher.Api.Problems;

namespace OrleansVoucher.Api.Metrics;

/// <summary>Records each request's route, method, status and duration on <see cref="ApiMetrics"/>.</summary>
internal sealed class ApiMetricsMiddleware(RequestDelegate next, ApiMetrics metrics)
{
    // The status codes' texts, made once rather than on every request.
    private static readonly string[] s_statusTexts = [.. Enumerable.Range(0, 600).Select(code => code.ToString(CultureInfo.InvariantCulture))];

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        int? failedWith = null;
        try
        {
            await next(context);
        }
        catch (Exception exception)
        {
            // Recorded with the status the exception handler will answer.
            failedWith = ProblemExceptionHandler.Classify(exception).Status;
            throw;
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
            var status = failedWith ?? context.Response.StatusCode;
            var tags = new TagList
            {
                { "http.route", route },
                { "http.request.method", context.Request.Method },
                { "http.response.status_code", status is >= 0 and < 600 ? s_statusTexts[status] : status.ToString(CultureInfo.InvariantCulture) },
            };
            metrics.Requests.Add(1, tags);
            metrics.RequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }
}
