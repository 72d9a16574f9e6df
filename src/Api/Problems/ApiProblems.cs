using System.Collections.Frozen;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansVoucher.Grains;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// Builds the problem results handlers return: <c>return ApiProblems.Rejection(result)</c> for a domain
/// rejection, <c>ApiProblems.OutOfScope()</c> when <see cref="Auth.AccessScope"/> refuses. Every result
/// carries the stable <c>type</c> and <c>code</c> of <see cref="ProblemCodes"/>.
/// </summary>
public static class ApiProblems
{
    /// <summary>The name of the problem member holding the code.</summary>
    public const string CodeMember = "code";

    /// <summary>
    /// Answers the request with a problem from middleware, where no endpoint result is returned: the
    /// status, a code of <see cref="ProblemCodes"/>, the detail, and any further members.
    /// </summary>
    public static ValueTask WriteProblemAsync(this IProblemDetailsService problems, HttpContext context, int status, string code, string detail, params KeyValuePair<string, object?>[] members)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status,
            Type = ProblemTypes.For(code),
            Detail = detail,
            Extensions = { [CodeMember] = code },
        };
        foreach (var (name, value) in members)
        {
            problem.Extensions[name] = value;
        }

        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    /// <summary>A problem with a code of <see cref="ProblemCodes"/>.</summary>
    public static ProblemHttpResult Create(string code, int status, string? detail = null, string? title = null) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: title ?? TitleOf(code),
            type: ProblemTypes.For(code),
            extensions: new Dictionary<string, object?> { [CodeMember] = code });

    /// <summary>The problem for a domain rejection, with the HTTP status of <see cref="StatusOf"/>.</summary>
    public static ProblemHttpResult Rejection(RejectionCode rejection, string? detail = null) =>
        Create(ProblemCodes.Of(rejection), StatusOf(rejection), detail);

    /// <summary>The problem for a rejected <see cref="Result"/>.</summary>
    public static ProblemHttpResult Rejection(Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Rejection is { } code
            ? Rejection(code, result.Detail)
            : throw new ArgumentException("A successful result is not a problem.", nameof(result));
    }

    /// <summary>The problem for a rejected <see cref="Result{T}"/>.</summary>
    public static ProblemHttpResult Rejection<T>(Result<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Rejection(result.ToResult());
    }

    /// <summary>403: the caller may use the operation, but not on this region, institution or worker.</summary>
    public static ProblemHttpResult OutOfScope(string? detail = null) =>
        Create(ProblemCodes.OutOfScope, StatusCodes.Status403Forbidden, detail ?? "The token's scope does not cover this resource.");

    /// <summary>
    /// The HTTP status of a domain rejection: 400 for a malformed value, 404 for a missing resource,
    /// 409 when the resource's state forbids the operation (retrying as is will not help until that
    /// state changes, except for <see cref="RejectionCode.ConcurrentOperation"/>), 422 when a programme
    /// rule refuses this request.
    /// </summary>
    public static int StatusOf(RejectionCode rejection) => rejection switch
    {
        RejectionCode.InvalidRequest or RejectionCode.InvalidCitizenId or RejectionCode.InvalidVoucherCode
            or RejectionCode.InvalidRegionCode or RejectionCode.InvalidOccupationCode => StatusCodes.Status400BadRequest,
        RejectionCode.VoucherNotFound or RejectionCode.CampaignNotFound or RejectionCode.RosterNotFound
            or RejectionCode.ClassNotFound => StatusCodes.Status404NotFound,
        RejectionCode.AlreadyExists or RejectionCode.CampaignNotOpen or RejectionCode.CampaignNotDraft
            or RejectionCode.StockExhausted or RejectionCode.BudgetExhausted or RejectionCode.LiveVoucherHeld
            or RejectionCode.VoucherExpired or RejectionCode.VoucherRevoked or RejectionCode.VoucherSettled
            or RejectionCode.AlreadyClaimed or RejectionCode.AlreadyUsed or RejectionCode.NotClaimed
            or RejectionCode.NotActivated or RejectionCode.ClassStarted or RejectionCode.ClassFull
            or RejectionCode.SettlementAlreadyClaimed or RejectionCode.SettlementNotClaimed
            or RejectionCode.RosterDecided or RejectionCode.ConcurrentOperation => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    /// <summary>A short human-readable title for a code: "Voucher expired" for <c>voucher-expired</c>.</summary>
    public static string TitleOf(string code)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        return s_titles.TryGetValue(code, out var title) ? title : MakeTitle(code);
    }

    // The titles of our codes, made once: every problem names one.
    private static readonly FrozenDictionary<string, string> s_titles =
        ProblemCodes.All.ToFrozenDictionary(code => code, MakeTitle, StringComparer.Ordinal);

    private static string MakeTitle(string code)
    {
        var words = code.Replace('-', ' ');
        return char.ToUpperInvariant(words[0]) + words[1..];
    }
}
