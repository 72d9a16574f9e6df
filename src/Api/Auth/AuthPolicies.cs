namespace OrleansVoucher.Api.Auth;

/// <summary>
/// Authorization policy names for <c>RequireAuthorization</c>. A policy admits a role; whether the
/// caller may act on a particular region, institution or worker is for the handler to check with
/// <see cref="AccessScope"/>. Endpoints without a policy still need a valid token (the fallback policy).
/// </summary>
public static class AuthPolicies
{
    /// <summary>Authorities only.</summary>
    public const string Authority = "role:authority";

    /// <summary>Institutions only.</summary>
    public const string Institution = "role:institution";

    /// <summary>Workers only.</summary>
    public const string Worker = "role:worker";

    /// <summary>Operators only.</summary>
    public const string Operator = "role:operator";

    /// <summary>Prometheus scrapes: operators, or anyone on the dedicated scrape port when one is configured.</summary>
    public const string MetricsScrape = "metrics-scrape";
}
