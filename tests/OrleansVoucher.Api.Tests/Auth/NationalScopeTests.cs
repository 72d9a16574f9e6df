using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Auth;

/// <summary>
/// The national authority carries the region <c>000000</c>: no administrative region of its own (the
/// domain refuses it as a resource's region) but one that covers every region.
/// </summary>
public sealed class NationalScopeTests : IAsyncLifetime
{
    private static readonly object s_policy = new
    {
        validity = new { mode = "singleDeadline", validMonths = 6 },
        yearlyLimits = new { perOccupation = (int?)null, perYear = (int?)null },
        oneLiveVoucher = false,
        attendanceThresholdPercent = 60,
        onlineShareCapPercent = 40,
        classRegistrationLeadDays = 3,
        sanctionStrikeLimit = 3,
    };

    private readonly EngineFactory _engine = new(EngineFactory.SqliteSettings("national-scope"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Theory]
    [InlineData("350000")]
    [InlineData("350203")]
    [InlineData("310000")]
    [InlineData("654326")]
    public void The_national_authority_acts_in_every_region(string region)
    {
        var scope = Scope(AccessScope.NationalRegion);

        Assert.True(scope.IsNationalAuthority);
        Assert.True(scope.CanActInRegion(region));
    }

    [Theory]
    [InlineData("000000")]
    [InlineData("35020")]
    [InlineData(null)]
    public void The_national_scope_does_not_make_its_own_code_or_a_malformed_one_a_region(string? region) =>
        Assert.False(Scope(AccessScope.NationalRegion).CanActInRegion(region));

    [Fact]
    public void A_province_is_no_national_authority()
    {
        var scope = Scope("350000");

        Assert.False(scope.IsNationalAuthority);
        Assert.False(scope.CanActInRegion("310000"));
    }

    [Fact]
    public async Task The_token_command_mints_a_national_token_that_sets_any_regions_policy_but_not_one_for_000000()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = DevelopmentTokenCommand.Run(
            _engine.Services.GetRequiredService<IConfiguration>(),
            _engine.Services.GetRequiredService<IHostEnvironment>(),
            ["token", "--role", "authority", "--sub", "mohrss", "--region", "000000"],
            output,
            error);
        Assert.Equal(0, exitCode);
        var national = _engine.CreateClient();
        national.DefaultRequestHeaders.Authorization = new("Bearer", output.ToString().Trim());

        var me = await national.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("000000", me.GetProperty("region").GetString());
        Assert.True((await national.PutAsJsonAsync("/api/v1/regions/310000/policy", s_policy)).IsSuccessStatusCode);
        var ownCode = await national.PutAsJsonAsync("/api/v1/regions/000000/policy", s_policy);
        var problem = await Problem.AssertAsync(ownCode, 400, "validation-failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("regionCode", out _));
        var fujian = _engine.CreateClient(Roles.Authority, "hr-fujian", "350000");
        await Problem.AssertAsync(await fujian.PutAsJsonAsync("/api/v1/regions/310000/policy", s_policy), 403, "out-of-scope");
    }

    private static AccessScope Scope(string region) =>
        AccessScope.From(new ClaimsPrincipal(new ClaimsIdentity(
            [new(ClaimNames.Role, Roles.Authority), new(ClaimNames.Subject, "hr"), new(ClaimNames.Region, region)], "Bearer", ClaimNames.Subject, ClaimNames.Role)))
        ?? throw new InvalidOperationException("No scope.");
}
