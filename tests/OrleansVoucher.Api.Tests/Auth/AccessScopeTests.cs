using System.Security.Claims;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Auth;

/// <summary>What a token's scope covers.</summary>
public sealed class AccessScopeTests
{
    [Theory]
    [InlineData("350000", "350000", true)]
    [InlineData("350000", "350200", true)]
    [InlineData("350000", "350203", true)]
    [InlineData("350000", "360000", false)]
    [InlineData("350200", "350200", true)]
    [InlineData("350200", "350203", true)]
    [InlineData("350200", "350100", false)]
    [InlineData("350200", "350000", false)]
    [InlineData("350203", "350203", true)]
    [InlineData("350203", "350204", false)]
    [InlineData("350203", "350200", false)]
    [InlineData("310000", "310115", true)]
    [InlineData("350200", "3502", false)]
    [InlineData("350200", "35020x", false)]
    [InlineData("350200", null, false)]
    public void An_authority_acts_in_its_region_and_the_regions_under_it(string region, string? target, bool allowed)
    {
        var scope = Scope(Roles.Authority, "hr", region);

        Assert.Equal(allowed, scope.CanActInRegion(target));
    }

    [Fact]
    public void An_institution_acts_only_as_itself()
    {
        var scope = Scope(Roles.Institution, "inst-0001");

        Assert.True(scope.IsInstitution("inst-0001"));
        Assert.False(scope.IsInstitution("inst-0002"));
        Assert.False(scope.IsInstitution("INST-0001"));
        Assert.False(scope.IsWorker("inst-0001"));
        Assert.False(scope.CanActInRegion("350200"));
    }

    [Fact]
    public void A_worker_acts_only_for_itself()
    {
        var scope = Scope(Roles.Worker, People.BeijingWorker);

        Assert.True(scope.IsWorker(People.BeijingWorker));
        Assert.True(scope.IsWorker(People.BeijingWorker.ToLowerInvariant()));
        Assert.False(scope.IsWorker(People.FuzhouWorker));
        Assert.False(scope.IsInstitution(People.BeijingWorker));
        Assert.Equal("worker:" + People.BeijingWorker, scope.Principal);
    }

    [Fact]
    public void Tokens_without_exactly_one_known_role_a_subject_or_an_authoritys_region_have_no_scope()
    {
        Assert.Null(AccessScope.From(new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.Null(AccessScope.From(Principal([new(ClaimNames.Subject, "x")])));
        Assert.Null(AccessScope.From(Principal([new(ClaimNames.Role, Roles.Operator)])));
        Assert.Null(AccessScope.From(Principal([new(ClaimNames.Role, "emperor"), new(ClaimNames.Subject, "x")])));
        Assert.Null(AccessScope.From(Principal([new(ClaimNames.Role, Roles.Operator), new(ClaimNames.Role, Roles.Authority), new(ClaimNames.Subject, "x"), new(ClaimNames.Region, "350000")])));
        Assert.Null(AccessScope.From(Principal([new(ClaimNames.Role, Roles.Authority), new(ClaimNames.Subject, "x")])));
        Assert.Null(AccessScope.From(Principal([new(ClaimNames.Role, Roles.Authority), new(ClaimNames.Subject, "x"), new(ClaimNames.Region, "35")])));
    }

    [Fact]
    public void The_scope_reads_the_claims_of_every_identity_in_order_with_claim_types_compared_case_blind()
    {
        var token = new ClaimsIdentity([new("ROLE", Roles.Authority), new(ClaimNames.Subject, "hr-fujian")], "Bearer", ClaimNames.Subject, ClaimNames.Role);
        var added = new ClaimsIdentity([new(ClaimNames.Subject, "other"), new("Region", "350000"), new(ClaimNames.Region, "360000")]);
        var scope = AccessScope.From(new ClaimsPrincipal([token, added]));

        Assert.NotNull(scope);
        Assert.Equal((Roles.Authority, "hr-fujian", "350000"), (scope.Role, scope.Subject, scope.Region));

        // A second role in another identity still makes two.
        Assert.Null(AccessScope.From(new ClaimsPrincipal([token, new ClaimsIdentity([new(ClaimNames.Role, Roles.Operator)])])));

        // Only an authority carries its region into the scope.
        var institution = AccessScope.From(Principal([new(ClaimNames.Role, Roles.Institution), new(ClaimNames.Subject, "inst-1"), new(ClaimNames.Region, "350000")]));
        Assert.Null(institution?.Region);
        Assert.Equal("inst-1", institution?.Subject);
    }

    private static AccessScope Scope(string role, string subject, string? region = null)
    {
        var claims = new List<Claim> { new(ClaimNames.Role, role), new(ClaimNames.Subject, subject) };
        if (region is not null)
        {
            claims.Add(new Claim(ClaimNames.Region, region));
        }

        return AccessScope.From(Principal(claims)) ?? throw new InvalidOperationException("No scope.");
    }

    private static ClaimsPrincipal Principal(List<Claim> claims) =>
        new(new ClaimsIdentity(claims, "Bearer", ClaimNames.Subject, ClaimNames.Role));
}
