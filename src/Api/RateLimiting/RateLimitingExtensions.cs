using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Problems;

namespace OrleansVoucher.Api.RateLimiting;

/// <summary>Registers the rate-limit policies; a refusal is a 429 <c>rate-limited</c> problem with <c>Retry-After</c>.</summary>
public static class RateLimitingExtensions
{
    /// <summary>Adds <see cref="RateLimitPolicies.Verification"/> and <see cref="RateLimitPolicies.PerCaller"/>, configured from <c>Api:RateLimiting</c>.</summary>
    public static WebApplicationBuilder AddVoucherRateLimiting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(RateLimitPolicies.Verification, context => Partition(context, Settings(context).Verification));
            options.AddPolicy(RateLimitPolicies.PerCaller, context => Partition(context, Settings(context).PerCaller));
            options.OnRejected = OnRejectedAsync;
        });
        return builder;
    }

    /// <summary>Uses the rate limiter; call after authentication, so partitions see the caller.</summary>
    public static WebApplication UseVoucherRateLimiting(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// The bucket a request draws from: the caller's (an institution's id for an institution), or, for
    /// a request without a valid token, its remote address's.
    /// </summary>
    internal static RateLimitPartition<string> Partition(HttpContext context, TokenBucketSettings settings) =>
        RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.TokenLimit,
            TokensPerPeriod = settings.TokensPerPeriod,
            ReplenishmentPeriod = settings.ReplenishmentPeriod,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>The partition key of a request: <c>role:subject</c>, or <c>address:…</c> without a valid token.</summary>
    internal static string PartitionKey(HttpContext context) =>
        AccessScope.Of(context)?.Principal ?? $"address:{context.Connection.RemoteIpAddress}";

    private static RateLimitingOptions Settings(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value;

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = ProblemTypes.For(ProblemCodes.RateLimited),
                Detail = $"Too many requests; retry in {seconds} s.",
                Extensions = { [ApiProblems.CodeMember] = ProblemCodes.RateLimited },
            },
        });
    }
}
