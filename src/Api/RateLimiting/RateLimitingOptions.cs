using Microsoft.Extensions.Options;

namespace OrleansVoucher.Api.RateLimiting;

/// <summary>Rate limits, bound from the configuration section <c>Api:RateLimiting</c>.</summary>
public sealed class RateLimitingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Api:RateLimiting";

    /// <summary>Per institution, for verification: bursts of 20, then 5 a second (a busy enrolment desk scans a voucher every few seconds).</summary>
    public TokenBucketSettings Verification { get; set; } = new() { TokenLimit = 20, TokensPerPeriod = 5, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };

    /// <summary>Per caller, for everything else: bursts of 200, then 100 a second.</summary>
    public TokenBucketSettings PerCaller { get; set; } = new() { TokenLimit = 200, TokensPerPeriod = 100, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };
}

/// <summary>One token bucket: <see cref="TokenLimit"/> requests at once, refilled by <see cref="TokensPerPeriod"/> every <see cref="ReplenishmentPeriod"/>.</summary>
public sealed class TokenBucketSettings
{
    /// <summary>The bucket's size: the largest burst.</summary>
    public int TokenLimit { get; set; }

    /// <summary>Tokens added each period.</summary>
    public int TokensPerPeriod { get; set; }

    /// <summary>The refill period.</summary>
    public TimeSpan ReplenishmentPeriod { get; set; }
}

/// <summary>Refuses buckets that could never admit a request.</summary>
internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        var failures = new List<string>();
        Check(options.Verification, nameof(options.Verification));
        Check(options.PerCaller, nameof(options.PerCaller));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(TokenBucketSettings bucket, string which)
        {
            if (bucket.TokenLimit < 1 || bucket.TokensPerPeriod < 1 || bucket.ReplenishmentPeriod <= TimeSpan.Zero)
            {
                failures.Add($"{RateLimitingOptions.SectionName}:{which} needs a positive TokenLimit, TokensPerPeriod and ReplenishmentPeriod.");
            }
        }
    }
}
