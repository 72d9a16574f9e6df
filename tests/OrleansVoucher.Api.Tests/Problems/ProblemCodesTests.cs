using OrleansVoucher.Api.Problems;
using OrleansVoucher.Grains;

namespace OrleansVoucher.Api.Tests.Problems;

/// <summary>The problem code catalogue.</summary>
public sealed class ProblemCodesTests
{
    [Fact]
    public void Every_code_is_unique_and_kebab_case()
    {
        Assert.Equal(ProblemCodes.All.Count, ProblemCodes.All.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ProblemCodes.All, code => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", code));
    }

    [Theory]
    [InlineData(RejectionCode.VoucherExpired, "voucher-expired", 409)]
    [InlineData(RejectionCode.AlreadyUsed, "already-used", 409)]
    [InlineData(RejectionCode.IdentityMismatch, "identity-mismatch", 422)]
    [InlineData(RejectionCode.YearlyLimitReached, "yearly-limit-reached", 422)]
    [InlineData(RejectionCode.StockExhausted, "stock-exhausted", 409)]
    [InlineData(RejectionCode.BudgetExhausted, "budget-exhausted", 409)]
    [InlineData(RejectionCode.InstitutionSuspended, "institution-suspended", 422)]
    [InlineData(RejectionCode.OccupationNotAllowed, "occupation-not-allowed", 422)]
    [InlineData(RejectionCode.VoucherNotFound, "voucher-not-found", 404)]
    [InlineData(RejectionCode.InvalidCitizenId, "invalid-citizen-id", 400)]
    public void A_domain_rejection_maps_to_its_code_and_status(RejectionCode rejection, string code, int status)
    {
        Assert.Equal(code, ProblemCodes.Of(rejection));
        Assert.Equal(status, ApiProblems.StatusOf(rejection));
        Assert.Contains(code, ProblemCodes.All);
        var problem = ApiProblems.Rejection(Result.Reject(rejection, "detail"));
        Assert.Equal(status, problem.StatusCode);
        Assert.Equal(ProblemTypes.For(code), problem.ProblemDetails.Type);
        Assert.Equal(code, problem.ProblemDetails.Extensions[ApiProblems.CodeMember]);
    }

    [Fact]
    public void Every_domain_rejection_is_a_client_error()
    {
        Assert.All(Enum.GetValues<RejectionCode>(), rejection => Assert.InRange(ApiProblems.StatusOf(rejection), 400, 499));
    }
}
