using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;

namespace OrleansVoucher.Api.OpenApi;

/// <summary>Describes the API as a whole: title, how errors and retries work, and the bearer security scheme.</summary>
internal sealed class DocumentInfoTransformer : IOpenApiDocumentTransformer
{
    /// <summary>The security scheme's name.</summary>
    public const string BearerScheme = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OrleansVoucher API",
            Version = "v1",
            Description =
                "The vocational-training voucher programme (职业培训券): catalogues, campaigns, issuance, claims, verification, " +
                "classes, check-ins, results, settlement, revocation, sanctions and statistics.\n\n" +
                "**Authentication.** Every operation except health and this document needs a bearer token (JWT) with one `role` " +
                "claim — `authority` (with a 6-digit `region`; it acts in that region and the regions under it), `institution` " +
                "(`sub` is its id), `worker` (`sub` is the citizen id) or `operator`.\n\n" +
                $"**Errors.** Every error is `application/problem+json` (RFC 9457) with a stable `type` (`{ProblemTypes.Prefix}<code>`) " +
                $"and `code`. Codes: {string.Join(", ", ProblemCodes.All.Select(c => $"`{c}`"))}.\n\n" +
                $"**Retries.** State-changing operations take an `{IdempotencyKeys.HeaderName}` header (1–255 printable ASCII characters). " +
                "A retry with the same key and the same request gets the first response again, marked " +
                $"`{IdempotencyKeys.ReplayedHeaderName}: true`; the same key with a different request is 422 `{ProblemCodes.IdempotencyKeyReused}`; " +
                $"a retry while the first is still running is 409 `{ProblemCodes.IdempotencyKeyInFlight}` with `Retry-After`. " +
                "Keys are per caller and remembered for 24 hours (`Api:Idempotency:Retention`). Responses that ask for a retry (5xx, 429) " +
                "or report a malformed request (400, 404, 413, 415) are not remembered, so a corrected retry runs.\n\n" +
                "**Limits.** JSON bodies up to 64 KiB unless an operation says otherwise; unknown fields, duplicate fields and " +
                "numbers in strings are refused; money is integer fen. Too many requests get 429 `rate-limited` with `Retry-After`.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A token from the programme's identity provider; locally, `dotnet run --project src/Api -- token --role <role> --sub <id>`.",
        };
        return Task.CompletedTask;
    }
}
