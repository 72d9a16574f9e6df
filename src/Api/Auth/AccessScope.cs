using System.Reflection;
using System.Security.Claims;
using OrleansVoucher.Grains.Regions;

namespace OrleansVoucher.Api.Auth;

/// <summary>
/// Who the bearer token says the caller is, and what it may act on. Handlers take it as a parameter
/// (it binds from the authenticated user) and check the resource in hand before calling a grain:
/// an institution verifies only at itself (<see cref="IsInstitution"/>), a worker claims only for
/// itself (<see cref="IsWorker"/>), an authority acts only in its region and the regions under it
/// (<see cref="CanActInRegion"/>). A refusal is answered with <c>ApiProblems.OutOfScope()</c>.
/// The national authority (人社部) carries the region <see cref="NationalRegion"/>, <c>000000</c>, which
/// is no administrative region of its own (the domain's region codes refuse it) but covers every one:
/// it oversees the national campaign the provinces issue, and may act wherever a province may.
/// </summary>
public sealed class AccessScope
{
    private string? _principal;

    private AccessScope(string role, string subject, string? region)
    {
        Role = role;
        Subject = subject;
        Region = region;
    }

    /// <summary>The region claim of the national authority: it covers every region.</summary>
    public const string NationalRegion = "000000";

    /// <summary>The caller's role, one of <see cref="Roles"/>.</summary>
    public string Role { get; }

    /// <summary>The token's subject: an institution id, a citizen id, or an account name.</summary>
    public string Subject { get; }

    /// <summary>An authority's region code; null for other roles.</summary>
    public string? Region { get; }

    /// <summary>Whether the caller is an authority.</summary>
    public bool IsAuthority => Role == Roles.Authority;

    /// <summary>Whether the caller is the national authority, whose scope is every region.</summary>
    public bool IsNationalAuthority => IsAuthority && Region == NationalRegion;

    /// <summary>Whether the caller is an operator.</summary>
    public bool IsOperator => Role == Roles.Operator;

    /// <summary>The caller as one string, <c>role:subject</c>, for keying per-caller records.</summary>
    public string Principal => _principal ??= $"{Role}:{Subject}";

    /// <summary>
    /// Reads the scope of a user whose token passed validation; null when the user is anonymous or the
    /// token lacks a role, a subject, or an authority's region.
    /// </summary>
    public static AccessScope? From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        // One pass over the claims, in the order FindAll and FindFirst read them (every identity's, claim
        // types compared case-blind): this runs for every authenticated request.
        string? role = null;
        var roles = 0;
        string? subject = null;
        string? region = null;
        foreach (var identity in user.Identities)
        {
            foreach (var claim in identity.Claims)
            {
                if (IsType(claim, ClaimNames.Role))
                {
                    role = claim.Value;
                    roles++;
                }
                else if (subject is null && IsType(claim, ClaimNames.Subject))
                {
                    subject = claim.Value;
                }
                else if (region is null && IsType(claim, ClaimNames.Region))
                {
                    region = claim.Value;
                }
            }
        }

        if (roles != 1 || !Roles.All.Contains(role!) || string.IsNullOrWhiteSpace(subject))
        {
            return null;
        }

        if (role != Roles.Authority)
        {
            region = null;
        }
        else if (!IsScopeRegion(region))
        {
            return null;
        }

        return new AccessScope(role!, subject, region);

        static bool IsType(Claim claim, string type) => string.Equals(claim.Type, type, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Binds the scope of the request's user: minimal APIs call this for a handler parameter of this type.</summary>
    public static ValueTask<AccessScope?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(Of(context));
    }

    /// <summary>
    /// The scope of the request's user: the one read from the token when it was validated, while the
    /// user is still that token's principal, so that the rate limiter, the idempotency records and the
    /// handler do not each read the claims again; otherwise read from <see cref="HttpContext.User"/>.
    /// </summary>
    public static AccessScope? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.User;
        return context.Features.Get<ValidatedScope>() is { } validated && ReferenceEquals(validated.User, user)
            ? validated.Scope
            : From(user);
    }

    /// <summary>Keeps the scope read from <paramref name="user"/> (the principal of a token just validated) on the request.</summary>
    internal static void Remember(HttpContext context, ClaimsPrincipal user, AccessScope scope) =>
        context.Features.Set(new ValidatedScope(user, scope));

    /// <summary>The scope read from a principal, kept on the request as a feature.</summary>
    private sealed record ValidatedScope(ClaimsPrincipal User, AccessScope Scope);

    /// <summary>
    /// Whether <paramref name="region"/> may stand in an authority's token: a 6-digit administrative
    /// region code, or <see cref="NationalRegion"/>.
    /// </summary>
    public static bool IsScopeRegion(string? region) => region == NationalRegion || RegionCode.IsValid(region);

    /// <summary>
    /// Whether an authority may act in <paramref name="regionCode"/>: its own region or one under it — a
    /// province (<c>350000</c>) covers <c>35xxxx</c>, a city (<c>350200</c>) covers <c>3502xx</c>, a
    /// district only itself, the national authority (<c>000000</c>) every region. False for every other
    /// role and for a malformed code.
    /// </summary>
    public bool CanActInRegion(string? regionCode) =>
        IsAuthority && RegionCode.IsValid(regionCode) && (IsNationalAuthority || RegionCode.Contains(Region!, regionCode!));

    /// <summary>Whether the caller is the institution <paramref name="institutionId"/>.</summary>
    public bool IsInstitution(string? institutionId) =>
        Role == Roles.Institution && institutionId is not null && string.Equals(Subject, institutionId, StringComparison.Ordinal);

    /// <summary>Whether the caller is the worker with <paramref name="citizenId"/> (the check character compared case-blind).</summary>
    public bool IsWorker(string? citizenId) =>
        Role == Roles.Worker && citizenId is not null && string.Equals(Subject, citizenId.Trim(), StringComparison.OrdinalIgnoreCase);
}
