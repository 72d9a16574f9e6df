namespace OrleansVoucher.Api.Auth;

/// <summary>The roles a token's <c>role</c> claim names; a token carries exactly one.</summary>
public static class Roles
{
    /// <summary>A region's human-resources authority; scoped by the <c>region</c> claim to that region and the regions under it.</summary>
    public const string Authority = "authority";

    /// <summary>A training institution; <c>sub</c> is its institution id.</summary>
    public const string Institution = "institution";

    /// <summary>A worker; <c>sub</c> is the citizen id on the social-security card.</summary>
    public const string Worker = "worker";

    /// <summary>An engineer running the engine: metrics and administration.</summary>
    public const string Operator = "operator";

    /// <summary>Every role.</summary>
    public static IReadOnlyList<string> All { get; } = [Authority, Institution, Worker, Operator];
}
