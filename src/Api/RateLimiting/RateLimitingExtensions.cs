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
            options.OnRejected = OnRejectedAsync;
        });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>, TimeProvider>((options, settings, time) =>
        {
            // One bucket factory per policy, made once: a request allocates no factory of its own.
            var verification = Buckets(settings.Value.Verification, time);
            var perCaller = Buckets(settings.Value.PerCaller, time);
            options.AddPolicy(RateLimitPolicies.Verification, context => new RateLimitPartition<string>(PartitionKey(context), verification));
            options.AddPolicy(RateLimitPolicies.PerCaller, context => new RateLimitPartition<string>(PartitionKey(context), perCaller));
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
    /// Makes the bucket of one partition: a request draws from the caller's (an institution's id for an
    /// institution), or, for a request without a valid token, its remote address's. The buckets refill
    /// lazily (<see cref="LazyTokenBucketLimiter"/>), so thousands of callers cost no timer work between
    /// their requests; an idle, full bucket is dropped by the framework after a while, as before.
    /// </summary>
    internal static Func<string, RateLimiter> Buckets(TokenBucketSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        return _ => new LazyTokenBucketLimiter(settings, time);
    }

    /// <summary>The partition key of a request: <c>role:subject</c>, or <c>address:…</c> without a valid token.</summary>
    internal static string PartitionKey(HttpContext context) =>
        AccessScope.Of(context)?.Principal ?? $"address:{context.Connection.RemoteIpAddress}";

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
