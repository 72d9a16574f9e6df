namespace OrleansVoucher.Api.RateLimiting;

/// <summary>Rate-limit policy names for <c>RequireRateLimiting</c>.</summary>
public static class RateLimitPolicies
{
    /// <summary>
    /// For the voucher verification and activation endpoints: a token bucket per institution (from its
    /// token), so that no institution can walk the code space, whatever the other institutions do.
    /// </summary>
    public const string Verification = "verification";

    /// <summary>For the rest of <c>/api/v1</c>: a generous token bucket per caller, against runaway clients.</summary>
    public const string PerCaller = "per-caller";
}
