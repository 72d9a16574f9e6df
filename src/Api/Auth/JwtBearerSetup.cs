using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Api.Auth;

/// <summary>
/// Configures bearer-token validation from <see cref="AuthOptions"/>: signature with the configured
/// keys and algorithms, issuer, audience, lifetime; then the engine's own claims (exactly one role, a
/// subject, an authority's region, a worker's valid citizen id). Failures are answered with problem
/// documents: 401 <c>authentication-required</c> or <c>invalid-token</c>, 403 <c>forbidden</c>.
/// </summary>
internal sealed partial class JwtBearerSetup(IOptions<AuthOptions> auth, TimeProvider time, ILogger<JwtBearerSetup> logger)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(JwtBearerOptions options) => Configure(JwtBearerDefaults.AuthenticationScheme, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        var settings = auth.Value;
        options.MapInboundClaims = false;
        options.IncludeErrorDetails = false;

        // Nothing reads the raw token back from the authentication properties: not copying it there
        // saves a list, a token and two dictionary entries on every authenticated request.
        options.SaveToken = false;
        options.TimeProvider = time;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKeys = [.. settings.SigningKeys.Select(SigningKeys.Create)],
            ValidAlgorithms = SigningKeys.Algorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = settings.ClockSkew,
            NameClaimType = ClaimNames.Subject,
            RoleClaimType = ClaimNames.Role,
            LifetimeValidator = (notBefore, expires, _, parameters) => ValidLifetime(notBefore, expires, parameters.ClockSkew),
        };
        if (settings.ValidatedTokenCacheSize > 0)
        {
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = false }, time, settings.ValidatedTokenCacheSize));
        }

        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = OnTokenValidated,
            OnAuthenticationFailed = context =>
            {
                Log.TokenRejected(logger, context.Exception.GetType().Name);
                return Task.CompletedTask;
            },
            OnChallenge = OnChallenge,
            OnForbidden = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "This operation is not open to the token's role."),
        };
    }

    // The handler's own lifetime check reads the system clock; this one reads the engine's.
    private bool ValidLifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew) =>
        IsWithinLifetime(notBefore, expires, time.GetUtcNow().UtcDateTime, skew);

    /// <summary>Whether a token with this lifetime is valid at <paramref name="now"/>, allowing <paramref name="skew"/>.</summary>
    internal static bool IsWithinLifetime(DateTime? notBefore, DateTime? expires, DateTime now, TimeSpan skew) =>
        expires is { } end && now - skew < end && (notBefore is not { } start || now + skew >= start);

    private Task OnTokenValidated(TokenValidatedContext context)
    {
        if (AccessScope.From(context.Principal!) is not { } scope)
        {
            context.Fail("The token must carry exactly one known role, a subject and, for an authority, a 6-digit region.");
        }
        else if (scope.Role == Roles.Worker && !CitizenId.TryParse(scope.Subject, ChinaTime.DateOf(time.GetUtcNow()), out _))
        {
            context.Fail("A worker token's subject must be a valid citizen id.");
        }
        else
        {
            AccessScope.Remember(context.HttpContext, context.Principal!, scope);
        }

        return Task.CompletedTask;
    }

    private static Task OnChallenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var invalid = context.AuthenticateFailure is not null;
        context.Response.Headers.WWWAuthenticate = invalid ? "Bearer error=\"invalid_token\"" : "Bearer";
        return invalid
            ? WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, ProblemCodes.InvalidToken, "The bearer token is invalid or expired.")
            : WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, ProblemCodes.AuthenticationRequired, "Send a bearer token in the Authorization header.");
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string code, string detail) =>
        context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteProblemAsync(context, status, code, detail).AsTask();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Bearer token rejected: {Reason}")]
        public static partial void TokenRejected(ILogger logger, string reason);
    }
}
