using Microsoft.AspNetCore.Http.HttpResults;
using OrleansVoucher.Api.Auth;

namespace OrleansVoucher.Api.Me;

/// <summary><c>/api/v1/me</c>: who the bearer token says the caller is, and what it may act on.</summary>
public static class MeEndpoints
{
    /// <summary>Maps the group under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapMeEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/me").WithTags("Identity");
        group.MapGet("/", GetMe)
            .WithName("GetMe")
            .WithSummary("The caller's identity and scope, as its token states them");
        return api;
    }

    /// <summary>Answers with the caller's role, subject and, for an authority, region.</summary>
    public static Ok<Caller> GetMe(AccessScope scope, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(context);
        var expires = context.User.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : (DateTimeOffset?)null;
        return TypedResults.Ok(new Caller(scope.Role, scope.Subject, scope.Region, expires));
    }

    /// <summary>The caller, as its token states it.</summary>
    /// <param name="Role">One of <c>authority</c>, <c>institution</c>, <c>worker</c>, <c>operator</c>.</param>
    /// <param name="Subject">The institution id, the citizen id, or the account.</param>
    /// <param name="Region">An authority's region code: it acts there and in the regions under it.</param>
    /// <param name="ExpiresAt">When the token expires.</param>
    public sealed record Caller(string Role, string Subject, string? Region, DateTimeOffset? ExpiresAt);
}
