using System.Collections.Frozen;
using System.Text;
using OrleansVoucher.Grains;

namespace OrleansVoucher.Api.Problems;

/// <summary>
/// The catalogue of problem codes: every error the API answers with is an <c>application/problem+json</c>
/// document whose <c>code</c> member is one of these and whose <c>type</c> is
/// <see cref="ProblemTypes.Prefix"/> followed by the code. Codes are stable: never renamed or reused.
/// The API's own codes are the constants here; each domain rejection (<see cref="RejectionCode"/>) has
/// the code <see cref="Of(RejectionCode)"/>, its name in kebab case (<c>VoucherExpired</c> →
/// <c>voucher-expired</c>).
/// </summary>
public static class ProblemCodes
{
    /// <summary>400: one or more inputs are invalid; <c>errors</c> names each field and what is wrong with it.</summary>
    public const string ValidationFailed = "validation-failed";

    /// <summary>400: the body is not well-formed JSON.</summary>
    public const string MalformedJson = "malformed-json";

    /// <summary>400: the body has a field the operation does not accept.</summary>
    public const string UnknownField = "unknown-field";

    /// <summary>400: a field of the body has a value of the wrong JSON type (a string for a number, a fraction for integer fen, …).</summary>
    public const string InvalidFieldType = "invalid-field-type";

    /// <summary>400: the body lacks a required field.</summary>
    public const string MissingField = "missing-field";

    /// <summary>400: the operation needs a body and none was sent.</summary>
    public const string MissingBody = "missing-body";

    /// <summary>400: a route, query or header value could not be read as its type.</summary>
    public const string BadRequest = "bad-request";

    /// <summary>400: the <c>Idempotency-Key</c> header is malformed (1–255 printable ASCII characters), or missing where required.</summary>
    public const string InvalidIdempotencyKey = "invalid-idempotency-key";

    /// <summary>401: no bearer token was sent.</summary>
    public const string AuthenticationRequired = "authentication-required";

    /// <summary>401: the bearer token is invalid: bad signature, wrong issuer or audience, expired, or missing its role and scope claims.</summary>
    public const string InvalidToken = "invalid-token";

    /// <summary>403: the caller's role may not use this operation.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>403: the caller's role may use this operation, but not on this region, institution or worker.</summary>
    public const string OutOfScope = "out-of-scope";

    /// <summary>404: no resource at this address.</summary>
    public const string NotFound = "not-found";

    /// <summary>405: the resource does not accept this method.</summary>
    public const string MethodNotAllowed = "method-not-allowed";

    /// <summary>409: a request with the same idempotency key is still being processed; retry after it completes.</summary>
    public const string IdempotencyKeyInFlight = "idempotency-key-in-flight";

    /// <summary>422: the idempotency key was used already for a different request (another method, path or body).</summary>
    public const string IdempotencyKeyReused = "idempotency-key-reused";

    /// <summary>413: the body is larger than the operation accepts.</summary>
    public const string PayloadTooLarge = "payload-too-large";

    /// <summary>415: the body is not <c>application/json</c>, or names a charset the engine does not know.</summary>
    public const string UnsupportedMediaType = "unsupported-media-type";

    /// <summary>429: too many requests from this caller; retry after the <c>Retry-After</c> seconds.</summary>
    public const string RateLimited = "rate-limited";

    /// <summary>500: the engine failed; nothing the client can fix. The <c>traceId</c> finds it in the logs.</summary>
    public const string InternalError = "internal-error";

    /// <summary>503: the engine is starting, stopping or cannot reach its store; retry.</summary>
    public const string Unavailable = "unavailable";

    private static readonly FrozenDictionary<RejectionCode, string> s_rejections =
        Enum.GetValues<RejectionCode>().ToFrozenDictionary(code => code, code => KebabCase(code.ToString()));

    /// <summary>The API's own codes.</summary>
    public static IReadOnlyList<string> Api { get; } =
    [
        ValidationFailed, MalformedJson, UnknownField, InvalidFieldType, MissingField, MissingBody, BadRequest,
        InvalidIdempotencyKey, AuthenticationRequired, InvalidToken, Forbidden, OutOfScope, NotFound,
        MethodNotAllowed, IdempotencyKeyInFlight, IdempotencyKeyReused, PayloadTooLarge, UnsupportedMediaType,
        RateLimited, InternalError, Unavailable,
    ];

    /// <summary>Every code: the API's own and one per domain rejection.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Api, .. s_rejections.Values.Order(StringComparer.Ordinal)];

    /// <summary>The code of a domain rejection: <c>VoucherExpired</c> → <c>voucher-expired</c>.</summary>
    public static string Of(RejectionCode rejection) =>
        s_rejections.TryGetValue(rejection, out var code) ? code : KebabCase(rejection.ToString());

    private static string KebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
