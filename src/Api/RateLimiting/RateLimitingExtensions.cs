using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Auth;

namespace OrleansVoucher.Api.RateLimiting;

/// <summary>
/// Registers the rate-limit policies, each a token bucket per caller (<see cref="CallerBuckets"/>); a
/// refusal is a 429 <c>rate-limited</c> problem with <c>Retry-After</c>.
/// </summary>
public static class RateLimitingExtensions
{
    /// <summary>Adds <see cref="RateLimitPolicies.Verification"/> and <see cref="RateLimitPolicies.PerCaller"/>, configured from <c>Api:RateLimiting</c>.</summary>
    public static WebApplicationBuilder AddVoucherRateLimiting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();
        builder.Services.AddSingleton(services => Policies(services.GetRequiredService<IOptions<RateLimitingOptions>>().Value, services.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>Uses the rate limits; call after authentication, so that buckets are the callers'.</summary>
    public static WebApplication UseVoucherRateLimiting(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<CallerRateLimitingMiddleware>();
        return app;
    }

    /// <summary>
    /// The buckets of each policy: a request draws from its caller's (an institution's id for an
    /// institution), or, for a request without a valid token, its remote address's.
    /// </summary>
    internal static FrozenDictionary<string, CallerBuckets> Policies(RateLimitingOptions settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        return new Dictionary<string, CallerBuckets>(StringComparer.Ordinal)
        {
            [RateLimitPolicies.Verification] = new(settings.Verification, time),
            [RateLimitPolicies.PerCaller] = new(settings.PerCaller, time),
        }.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The partition key of a request: <c>role:subject</c>, or <c>address:…</c> without a valid token.</summary>
    internal static string PartitionKey(HttpContext context) =>
        AccessScope.Of(context)?.Principal ?? $"address:{context.Connection.RemoteIpAddress}";
}
