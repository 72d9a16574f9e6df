using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Tests.Domain;

/// <summary>The eligibility rules (R6) on their own: which rule refuses, and what the refusal says.</summary>
public sealed class EligibilityTests
{
    private const string Shaoxing = "330600";
    private const string Yuecheng = "330602";
    private const string Worker = "330602199001011234";
    private static readonly DateOnly Today = new(2026, 3, 2);

    [Fact]
    public void Insurance_months_are_summed_over_the_campaign_region_and_the_regions_under_it()
    {
        var rules = new EligibilityRules { MinLocalInsuranceMonths = 36 };
        var worker = new WorkerAttributes { UnemploymentInsurance = [new(Yuecheng, 30), new("330100", 40), new(Shaoxing, 6)] };

        Assert.Null(Eligibility.Check(rules, worker, Worker, Shaoxing, Today));
        Assert.Equal(
            "needs 37 months of unemployment insurance in region 330600, has 36",
            Eligibility.Check(rules with { MinLocalInsuranceMonths = 37 }, worker, Worker, Shaoxing, Today));
    }

    [Fact]
    public void The_excluded_category_named_is_the_first_of_the_rules_that_the_worker_is_in()
    {
        var rules = new EligibilityRules { ExcludedCategories = ["Retired", "CivilServant", "Soldier"] };
        var worker = new WorkerAttributes { Categories = ["Soldier", "CivilServant"] };

        Assert.Equal("category CivilServant is excluded", Eligibility.Check(rules, worker, Worker, Shaoxing, Today));
        Assert.Null(Eligibility.Check(rules, worker with { Categories = ["civilservant"] }, Worker, Shaoxing, Today));
    }

    [Fact]
    public void A_targeted_campaign_takes_a_worker_in_any_of_its_groups_and_no_other()
    {
        var rules = new EligibilityRules { TargetCategories = ["RegisteredUnemployed", "LowIncomeRural"] };

        Assert.Null(Eligibility.Check(rules, new WorkerAttributes { Categories = ["Employed", "LowIncomeRural"] }, Worker, Shaoxing, Today));
        Assert.Equal(
            "not in a targeted group (RegisteredUnemployed, LowIncomeRural)",
            Eligibility.Check(rules, new WorkerAttributes { Categories = ["Employed", "lowincomerural"] }, Worker, Shaoxing, Today));
        Assert.Null(Eligibility.Check(rules with { TargetCategories = [] }, new WorkerAttributes(), Worker, Shaoxing, Today));
    }
}
