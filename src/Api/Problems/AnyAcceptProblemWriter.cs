using Microsoft.Extensions.Options;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// Writes the problems the other writers decline because the request does not accept JSON (an
/// <c>Accept</c> of <c>application/xml</c> or <c>text/html</c> only): an error is an
/// <c>application/problem+json</c> document with its code whatever the client asked for, as a server
/// may answer outside <c>Accept</c>. Registered after the framework's writer, it is the last one asked.
/// Without it the status code pages answered such a 404 in plain text, and the authentication
/// challenge found no writer and threw, turning a 401 into a 500.
/// </summary>
internal sealed class AnyAcceptProblemWriter(IOptions<ProblemDetailsOptions> problems) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        problems.Value.CustomizeProblemDetails?.Invoke(context);
        var problem = context.ProblemDetails;
        // Its own type, so a validation problem keeps its errors.
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), options: null, contentType: "application/problem+json"));
    }
}
