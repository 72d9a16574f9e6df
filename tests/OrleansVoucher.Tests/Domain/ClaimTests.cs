using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Campaign stock, claims and eligibility (R4–R8).</summary>
public abstract class ClaimTests : DomainTestBase
{
    [Fact]
    public async Task R5_a_thousand_parallel_claims_on_a_stock_of_100_issue_exactly_100()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("stock-100", General(Fujian, quantity: 100));
        var workers = await Task.WhenAll(Enumerable.Range(1, 1000).Select(n => Given.WorkerAsync(n)));

        var results = await Task.WhenAll(workers.Select(w => Task.Run(() => Given.TryClaimAsync("stock-100", w))));

        Assert.Equal(100, results.Count(r => r.IsSuccess));
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(RejectionCode.StockExhausted, r.Rejection));
        Assert.Equal(100, results.Where(r => r.IsSuccess).Select(r => r.Value!.VoucherCode).Distinct().Count());
        var statistics = await Grains.GetGrain<OrleansVoucher.Grains.Statistics.ICampaignStatisticsGrain>("stock-100").GetAsync();
        Assert.Equal(100, statistics.Claimed);
        Assert.Equal(100, statistics.Current.Claimed);
    }

    [Fact]
    public async Task R5_the_budget_cap_is_never_exceeded_by_parallel_claims_of_mixed_face_values()
    {
        await Given.FujianAsync();
        var definition = General(Fujian, quantity: 1000, budgetFen: 1_000_000) with
        {
            FaceValueFen = 30_000,
            FaceValuesByLevel = [new(SkillLevel.Elementary, 30_000), new(SkillLevel.Intermediate, 70_000), new(SkillLevel.Advanced, 110_000)],
        };
        await Given.CampaignAsync("budget", definition);
        SkillLevel[] levels = [SkillLevel.Elementary, SkillLevel.Intermediate, SkillLevel.Advanced];
        var claims = await Task.WhenAll(Enumerable.Range(1, 600).Select(async n => (Worker: await Given.WorkerAsync(n), Level: levels[n % 3])));

        var results = await Task.WhenAll(claims.Select(c => Task.Run(async () => (c.Level, Result: await Given.TryClaimAsync("budget", c.Worker, c.Level)))));

        var issued = results.Where(r => r.Result.IsSuccess).Sum(r => r.Result.Value!.AmountFen);
        Assert.True(issued <= 1_000_000, $"Issued {issued} fen against a budget of 1,000,000.");
        var refused = results.Where(r => !r.Result.IsSuccess).ToList();
        Assert.All(refused, r => Assert.Equal(RejectionCode.BudgetExhausted, r.Result.Rejection));

        // Exact to the last fen: every refused claim needed more than was left.
        Assert.All(refused, r => Assert.True(issued + definition.AmountFor(r.Level) > 1_000_000));
        var statistics = await Grains.GetGrain<OrleansVoucher.Grains.Statistics.ICampaignStatisticsGrain>("budget").GetAsync();
        Assert.Equal(issued, statistics.IssuedAmountFen);
    }

    [Fact]
    public async Task R5_several_issuers_never_exceed_the_caps_together()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("sharded", General(Fujian, quantity: 300) with { IssuerCount = 8 });
        var workers = await Task.WhenAll(Enumerable.Range(1, 900).Select(n => Given.WorkerAsync(n)));

        var results = await Task.WhenAll(workers.Select(w => Task.Run(() => Given.TryClaimAsync("sharded", w))));

        var issued = results.Count(r => r.IsSuccess);
        Assert.InRange(issued, 300 - 8, 300);
        var campaign = (await Grains.GetGrain<ICampaignGrain>("sharded").GetAsync())!;
        Assert.True(campaign.AllocatedQuantity <= 300);
    }

    [Fact]
    public async Task R5_several_issuers_share_a_binding_budget_without_leaving_it_idle()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("budget-bound", General(Fujian, quantity: 100_000, budgetFen: 200 * 50_000L) with { IssuerCount = 8 });
        var workers = await Task.WhenAll(Enumerable.Range(1, 900).Select(n => Given.WorkerAsync(n)));

        var results = await Task.WhenAll(workers.Select(w => Task.Run(() => Given.TryClaimAsync("budget-bound", w))));

        Assert.InRange(results.Count(r => r.IsSuccess), 200 - 8, 200);
        Assert.True((await Grains.GetGrain<ICampaignGrain>("budget-bound").GetAsync())!.AllocatedBudgetFen <= 200 * 50_000L);
    }

    [Fact]
    public async Task R5_two_processes_claiming_on_one_store_never_exceed_the_stock()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("two-silos", General(Fujian, quantity: 50));
        var workers = await Task.WhenAll(Enumerable.Range(1, 200).Select(n => Given.WorkerAsync(n)));
        await using var other = await StartAnotherSiloAsync();

        var results = await Task.WhenAll(workers.Select((w, i) => Task.Run(async () =>
        {
            var grains = i % 2 == 0 ? Grains : other.Grains;
            return await grains.GetGrain<ICampaignIssuerGrain>(CampaignIssuers.KeyFor("two-silos", 0)).ClaimAsync(new ClaimRequest(w));
        })));

        Assert.True(results.Count(r => r.IsSuccess) <= 50);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Contains(r.Rejection, new RejectionCode?[] { RejectionCode.StockExhausted, RejectionCode.ConcurrentOperation }));

        // What the store holds agrees with what callers were told.
        await RestartAsync();
        var statistics = await Grains.GetGrain<OrleansVoucher.Grains.Statistics.ICampaignStatisticsGrain>("two-silos").RecountAsync();
        Assert.Equal(results.Count(r => r.IsSuccess), statistics.Claimed);
        foreach (var success in results.Where(r => r.IsSuccess))
        {
            Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(success.Value!.VoucherCode)).Status);
        }
    }

    [Fact]
    public async Task R5_claims_racing_past_the_sell_out_never_oversell_and_repeats_never_hold_two()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("storm", General(Fujian, quantity: 60) with { IssuerCount = 3 });
        var workers = await Task.WhenAll(Enumerable.Range(1, 300).Select(n => Given.WorkerAsync(n)));

        // Every worker claims twice at once, and the storm goes on long after the stock is gone.
        var claims = workers.Concat(workers).ToArray();
        var results = await Task.WhenAll(claims.Select(w => Task.Run(async () => (Worker: w, Result: await Given.TryClaimAsync("storm", w)))));

        var issued = results.Where(r => r.Result.IsSuccess).ToList();
        Assert.InRange(issued.Count, 60 - 3, 60);
        Assert.Equal(issued.Count, issued.Select(r => r.Worker).Distinct().Count());
        Assert.All(results.Where(r => !r.Result.IsSuccess), r => Assert.Contains(r.Result.Rejection, new RejectionCode?[] { RejectionCode.StockExhausted, RejectionCode.LiveVoucherHeld, RejectionCode.ConcurrentOperation }));
        var holders = issued.Select(r => r.Worker).ToHashSet();
        Assert.All(results.Where(r => r.Result.Rejection == RejectionCode.LiveVoucherHeld), r => Assert.Contains(r.Worker, holders));
        var statistics = await Grains.GetGrain<OrleansVoucher.Grains.Statistics.ICampaignStatisticsGrain>("storm").GetAsync();
        Assert.Equal(issued.Count, statistics.Claimed);
        Assert.True((await Grains.GetGrain<ICampaignGrain>("storm").GetAsync())!.AllocatedQuantity <= 60);
    }

    [Fact]
    public async Task R7_after_the_sell_out_a_worker_who_claimed_is_still_told_of_the_voucher_held_and_others_of_their_own_refusal()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("three", General(Fujian, quantity: 3) with { Eligibility = new EligibilityRules { MaxAge = 60 } });
        var holders = await Task.WhenAll(Enumerable.Range(1, 3).Select(n => Given.WorkerAsync(n)));
        var codes = new List<string>();
        foreach (var holder in holders)
        {
            codes.Add(await Given.ClaimAsync("three", holder));
        }

        Rejected(RejectionCode.StockExhausted, await Given.TryClaimAsync("three", await Given.WorkerAsync(4)));

        // The same answers as before the stock ran out, whatever came first: the voucher held (R7),
        // eligibility (R6), registration; only a worker the campaign could otherwise serve is told it is sold out.
        for (var i = 0; i < holders.Length; i++)
        {
            var again = await Given.TryClaimAsync("three", holders[i]);
            Rejected(RejectionCode.LiveVoucherHeld, again);
            Assert.Contains(codes[i], again.Detail, StringComparison.Ordinal);
        }

        Rejected(RejectionCode.NotEligible, await Given.TryClaimAsync("three", await Given.WorkerAsync(5, born: new DateOnly(1950, 1, 1))));
        Rejected(RejectionCode.WorkerNotRegistered, await Given.TryClaimAsync("three", Citizen(6)));
        foreach (var holder in holders)
        {
            Assert.Equal(VoucherStatus.Claimed, Assert.Single((await Given.WorkerViewAsync(holder)).Vouchers).Status);
        }

        Ok(await Grains.GetGrain<ICampaignGrain>("three").CloseAsync("ended"));
        Rejected(RejectionCode.CampaignNotOpen, await Given.TryClaimAsync("three", holders[0]));
    }

    [Fact]
    public async Task R5_stock_an_issuer_still_holds_when_the_campaign_has_handed_out_the_last_of_it_is_claimed_to_the_end()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("blocks", General(Fujian, quantity: 100) with { IssuerCount = 2 });
        var workers = await Task.WhenAll(Enumerable.Range(1, 400).Select(n => Given.WorkerAsync(n)));
        var first = workers.Where(w => IssuerOf("blocks", w, 2) == 0).ToList();
        var second = workers.Where(w => IssuerOf("blocks", w, 2) == 1).ToList();

        // Issuer 0 takes one block and serves one claim from it; issuer 1 then takes everything else.
        Ok(await Given.TryClaimAsync("blocks", first[0]));
        var drained = await ClaimUntilSoldOutAsync(second);

        // The campaign has nothing left to hand out, yet what issuer 0 holds is claimed, to the last voucher.
        var campaign = (await Grains.GetGrain<ICampaignGrain>("blocks").GetAsync())!;
        Assert.Equal(100, campaign.AllocatedQuantity);
        var rest = await ClaimUntilSoldOutAsync(first.Skip(1));

        Assert.True(rest > 0, "Issuer 0 had stock left in its block.");
        Assert.Equal(100, 1 + drained + rest);
        Assert.Equal(100, (await Grains.GetGrain<OrleansVoucher.Grains.Statistics.ICampaignStatisticsGrain>("blocks").GetAsync()).Claimed);

        // Claims one after another until one is refused, which must be for want of stock; returns how many were served.
        async Task<int> ClaimUntilSoldOutAsync(IEnumerable<string> claimants)
        {
            var served = 0;
            foreach (var claimant in claimants)
            {
                var claimed = await Given.TryClaimAsync("blocks", claimant);
                if (!claimed.IsSuccess)
                {
                    Rejected(RejectionCode.StockExhausted, claimed);
                    return served;
                }

                served++;
            }

            return served;
        }
    }

    [Fact]
    public async Task R5_a_budget_too_small_for_one_level_still_issues_a_cheaper_one()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("levels", General(Fujian, quantity: 100, budgetFen: 200_000) with
        {
            FaceValueFen = 30_000,
            FaceValuesByLevel = [new(SkillLevel.Elementary, 30_000), new(SkillLevel.Advanced, 110_000)],
        });

        Ok(await Given.TryClaimAsync("levels", await Given.WorkerAsync(1), SkillLevel.Advanced));
        Rejected(RejectionCode.BudgetExhausted, await Given.TryClaimAsync("levels", await Given.WorkerAsync(2), SkillLevel.Advanced));
        Rejected(RejectionCode.BudgetExhausted, await Given.TryClaimAsync("levels", await Given.WorkerAsync(3), SkillLevel.Advanced));

        // 90,000 fen are left: three elementary vouchers, not a fen more.
        for (var n = 4; n < 7; n++)
        {
            Ok(await Given.TryClaimAsync("levels", await Given.WorkerAsync(n), SkillLevel.Elementary));
        }

        Rejected(RejectionCode.BudgetExhausted, await Given.TryClaimAsync("levels", await Given.WorkerAsync(7), SkillLevel.Elementary));
    }

    [Fact]
    public async Task R4_a_campaign_with_face_values_by_level_only_issues_no_voucher_without_a_face_value()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("levels", General(Fujian, quantity: 2) with { FaceValueFen = 0, FaceValuesByLevel = [new(SkillLevel.Elementary, 100_000)] });
        var worker = await Given.WorkerAsync(1);

        Rejected(RejectionCode.LevelMismatch, await Given.TryClaimAsync("levels", worker));
        Rejected(RejectionCode.LevelMismatch, await Given.TryClaimAsync("levels", worker, SkillLevel.Advanced));
        Assert.Empty((await Given.WorkerViewAsync(worker)).Vouchers);
        Assert.Equal(100_000, (await Given.TryClaimAsync("levels", worker, SkillLevel.Elementary)).GetValueOrThrow().AmountFen);

        // The refused claims took no stock: the second voucher is still there.
        Ok(await Given.TryClaimAsync("levels", await Given.WorkerAsync(2), SkillLevel.Elementary));
    }

    [Fact]
    public async Task R5_a_voucher_revoked_or_rolled_back_after_the_sell_out_gives_no_stock_back()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.ClassAsync("SCHOOL1", "C1");
        await Given.CampaignAsync("two", General(Fujian, quantity: 2));
        var revoked = await Given.WorkerAsync(1);
        var rolledBack = await Given.WorkerAsync(2);
        var revokedCode = await Given.ClaimAsync("two", revoked);
        var rolledBackCode = await Given.ClaimAsync("two", rolledBack);
        var waiting = await Given.WorkerAsync(3);
        Rejected(RejectionCode.StockExhausted, await Given.TryClaimAsync("two", waiting));

        // R5 counts what was issued: a revoked voucher stays issued, and a rolled-back verification gives
        // back the yearly slot (R10), not stock. The sold-out answer stays exact: the campaign, asked
        // directly, has nothing to hand out either.
        Ok(await Grains.GetGrain<IVoucherGrain>(revokedCode).RevokeAsync("fraud"));
        await Given.VerifyAsync("SCHOOL1", rolledBackCode, rolledBack, "C1");
        Ok(await Grains.GetGrain<IInstitutionGrain>("SCHOOL1").RollBackVerificationAsync(rolledBackCode, "trainee changed class"));
        Assert.Equal(VoucherStatus.Claimed, (await Given.VoucherAsync(rolledBackCode)).Status);

        Rejected(RejectionCode.StockExhausted, await Given.TryClaimAsync("two", waiting));

        // The worker answers first: whose voucher was revoked has claimed this campaign's once (R8).
        Rejected(RejectionCode.AlreadyClaimed, await Given.TryClaimAsync("two", revoked));
        Rejected(RejectionCode.LiveVoucherHeld, await Given.TryClaimAsync("two", rolledBack));
        Rejected(RejectionCode.StockExhausted, await Grains.GetGrain<ICampaignStock>("two").AllocateAsync(0, 1, 0));
    }

    private static int IssuerOf(string campaignId, string citizenId, int issuerCount) =>
        CampaignIssuers.Parse(CampaignIssuers.KeyFor(campaignId, citizenId, issuerCount)).Index;

    [Fact]
    public async Task R6_Shaoxing_general_vouchers_need_36_months_of_local_insurance_and_exclude_civil_servants()
    {
        await Given.RegionAsync(Shaoxing, RegionPolicy.Shaoxing);
        await Given.CampaignAsync("shaoxing-general", General(Shaoxing) with
        {
            Eligibility = new EligibilityRules { MinLocalInsuranceMonths = 36, ExcludedCategories = ["CivilServant"] },
        });
        var insured = await Given.WorkerAsync(1, new WorkerAttributes { UnemploymentInsurance = [new(Yuecheng, 30), new(Shaoxing, 6)] }, Yuecheng);
        var elsewhere = await Given.WorkerAsync(2, new WorkerAttributes { UnemploymentInsurance = [new(Yuecheng, 20), new("330100", 40)] }, Yuecheng);
        var servant = await Given.WorkerAsync(3, new WorkerAttributes { UnemploymentInsurance = [new(Yuecheng, 60)], Categories = ["CivilServant"] }, Yuecheng);

        Ok(await Given.TryClaimAsync("shaoxing-general", insured));
        var notLocal = await Given.TryClaimAsync("shaoxing-general", elsewhere);
        Rejected(RejectionCode.NotEligible, notLocal);
        Assert.Contains("36 months", notLocal.Detail, StringComparison.Ordinal);
        Rejected(RejectionCode.NotEligible, await Given.TryClaimAsync("shaoxing-general", servant));
    }

    [Fact]
    public async Task R6_an_unregistered_worker_cannot_claim_because_eligibility_cannot_be_decided()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("c", General(Fujian));
        Rejected(RejectionCode.WorkerNotRegistered, await Given.TryClaimAsync("c", Citizen(7)));
    }

    [Fact]
    public async Task R6_targeted_groups_and_age_limits_are_campaign_settings()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("targeted", General(Fujian) with
        {
            Eligibility = new EligibilityRules { TargetCategories = ["RegisteredUnemployed", "LowIncomeRural"], MaxAge = 50 },
        });
        var unemployed = await Given.WorkerAsync(1, new WorkerAttributes { Categories = ["RegisteredUnemployed"] }, born: new DateOnly(1990, 5, 1));
        var employed = await Given.WorkerAsync(2, new WorkerAttributes { Categories = ["Employed"] }, born: new DateOnly(1990, 5, 1));
        var old = await Given.WorkerAsync(3, new WorkerAttributes { Categories = ["LowIncomeRural"] }, born: new DateOnly(1970, 5, 1));

        Ok(await Given.TryClaimAsync("targeted", unemployed));
        Rejected(RejectionCode.NotEligible, await Given.TryClaimAsync("targeted", employed));
        Rejected(RejectionCode.NotEligible, await Given.TryClaimAsync("targeted", old));
    }

    [Fact]
    public async Task R7_a_worker_holding_a_valid_unused_voucher_is_not_issued_another()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("first", General(Fujian));
        await Given.CampaignAsync("second", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var code = await Given.ClaimAsync("first", worker);

        var second = await Given.TryClaimAsync("second", worker);

        Rejected(RejectionCode.LiveVoucherHeld, second);
        Assert.Contains(code, second.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task R7_once_the_held_voucher_expires_the_worker_may_claim_again()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("first", General(Fujian));
        await Given.CampaignAsync("second", General(Fujian));
        var worker = await Given.WorkerAsync(1);
        var first = await Given.ClaimAsync("first", worker);

        Given.Advance(TimeSpan.FromDays(100));

        Assert.Equal(VoucherStatus.Expired, (await Given.VoucherAsync(first)).Status);
        Ok(await Given.TryClaimAsync("second", worker));
    }

    [Fact]
    public async Task R7_is_a_policy_setting_Shaoxing_lets_a_worker_hold_two()
    {
        await Given.RegionAsync(Shaoxing, RegionPolicy.Shaoxing);
        await Given.CampaignAsync("first", General(Shaoxing));
        await Given.CampaignAsync("second", General(Shaoxing));
        var worker = await Given.WorkerAsync(1, region: Yuecheng);

        await Given.ClaimAsync("first", worker);
        Ok(await Given.TryClaimAsync("second", worker));
        Assert.Equal(2, (await Given.WorkerViewAsync(worker)).Vouchers.Count);
    }

    [Fact]
    public async Task R8_a_worker_claims_a_general_campaigns_voucher_once_even_where_two_may_be_held()
    {
        await Given.RegionAsync(Shaoxing, RegionPolicy.Shaoxing);
        await Given.CampaignAsync("general", General(Shaoxing, quantity: 3));
        var worker = await Given.WorkerAsync(1, region: Yuecheng);
        var first = await Given.ClaimAsync("general", worker);

        // A repeated claim (a second tap, a retry without its idempotency key) is told of the voucher claimed.
        var again = await Given.TryClaimAsync("general", worker);
        Rejected(RejectionCode.AlreadyClaimed, again);
        Assert.Contains(first, again.Detail, StringComparison.Ordinal);

        // Nor once the voucher has lapsed: the campaign's stock is for its population, one each.
        Given.Advance(TimeSpan.FromDays(100));
        Assert.Equal(VoucherStatus.Expired, (await Given.VoucherAsync(first)).Status);
        Rejected(RejectionCode.AlreadyClaimed, await Given.TryClaimAsync("general", worker));
        Assert.Single((await Given.WorkerViewAsync(worker)).Vouchers);
        Assert.Equal(1, (await Grains.GetGrain<OrleansVoucher.Grains.Statistics.ICampaignStatisticsGrain>("general").GetAsync()).Claimed);
        Ok(await Given.TryClaimAsync("general", await Given.WorkerAsync(2, region: Yuecheng)));
    }

    [Fact]
    public async Task R8_a_claim_needs_a_valid_citizen_id()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("c", General(Fujian));
        var valid = Citizen(1);
        var wrongCheck = valid[..17] + (valid[17] == '1' ? '2' : '1');

        Rejected(RejectionCode.InvalidCitizenId, await Grains.GetGrain<ICampaignIssuerGrain>(CampaignIssuers.KeyFor("c", 0)).ClaimAsync(new ClaimRequest(wrongCheck)));
        Rejected(RejectionCode.InvalidCitizenId, await Grains.GetGrain<IWorkerGrain>(wrongCheck).GetAsync());
    }

    [Fact]
    public async Task R8_a_directed_voucher_is_claimed_once_and_only_by_its_named_holder()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("directed", Directed(Fujian, Nursery));
        var named = await Given.WorkerAsync(1);
        var other = await Given.WorkerAsync(2);
        var roster = Grains.GetGrain<IRosterGrain>("directed/1");
        Ok(await roster.SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(named, Nursery)])));
        var code = (await roster.ApproveAsync()).GetValueOrThrow().Outcomes.Single().VoucherCode!;
        var voucher = Grains.GetGrain<IVoucherGrain>(code);
        Assert.Equal(VoucherStatus.Issued, (await voucher.GetAsync()).Value!.Status);

        Rejected(RejectionCode.IdentityMismatch, await voucher.ClaimAsync(other));
        Ok(await voucher.ClaimAsync(named));
        Rejected(RejectionCode.AlreadyClaimed, await voucher.ClaimAsync(named));
    }

    [Fact]
    public async Task R8_codes_are_unique_unguessable_and_validated_before_any_grain_call()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("c", General(Fujian));
        var codes = new List<string>();
        for (var n = 1; n <= 20; n++)
        {
            codes.Add(await Given.ClaimAsync("c", await Given.WorkerAsync(n)));
        }

        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.True(VoucherCode.TryParse(VoucherCode.Format(c).ToLowerInvariant(), out var parsed) && parsed == c));
        var typo = codes[0][..5] + (codes[0][5] == 'A' ? 'B' : 'A') + codes[0][6..];
        Assert.False(VoucherCode.TryParse(typo, out _));
        Rejected(RejectionCode.InvalidVoucherCode, await Grains.GetGrain<IVoucherGrain>(typo).GetAsync());
    }

    [Fact]
    public async Task R4_face_value_credit_and_check_in_only_vouchers_reserve_their_amounts()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("face", General(Fujian, faceValueFen: 50_000));
        await Given.CampaignAsync("credit", General(Fujian) with { ValueMode = ValueMode.Credit, FaceValueFen = 0, CreditReserveFen = 150_000 });
        await Given.CampaignAsync("check-in", General(Fujian, budgetFen: 0) with { ValueMode = ValueMode.CheckInOnly, FaceValueFen = 0 });

        Assert.Equal(50_000, (await Given.TryClaimAsync("face", await Given.WorkerAsync(1))).Value!.AmountFen);
        Assert.Equal(150_000, (await Given.TryClaimAsync("credit", await Given.WorkerAsync(2))).Value!.AmountFen);
        var checkIn = await Given.TryClaimAsync("check-in", await Given.WorkerAsync(3));
        Assert.Equal(0, checkIn.Value!.AmountFen);
        Assert.Equal(ValueMode.CheckInOnly, (await Given.VoucherAsync(checkIn.Value.VoucherCode)).ValueMode);
    }

    [Fact]
    public async Task R4_general_campaigns_are_claimed_and_directed_ones_issued_through_rosters()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("general", General(Fujian));
        await Given.CampaignAsync("directed", Directed(Fujian, Nursery));
        var worker = await Given.WorkerAsync(1);

        Rejected(RejectionCode.WrongIssuanceMode, await Given.TryClaimAsync("directed", worker));
        Rejected(RejectionCode.WrongIssuanceMode, await Grains.GetGrain<IRosterGrain>("general/1").SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(worker, Nursery)])));
        Rejected(RejectionCode.OccupationMismatch, await Grains.GetGrain<IRosterGrain>("directed/1").SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(worker, Electrician)])));
    }

    [Fact]
    public async Task R3_the_roster_of_a_suspended_institution_is_not_approved_until_it_is_reinstated()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("directed", Directed(Fujian, Nursery));
        var worker = await Given.WorkerAsync(1);
        var roster = Grains.GetGrain<IRosterGrain>("directed/1");
        Ok(await roster.SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(worker, Nursery)])));
        var institution = Grains.GetGrain<IInstitutionGrain>("SCHOOL1");
        Ok(await institution.SuspendAsync("lax eligibility reviews"));

        Rejected(RejectionCode.InstitutionSuspended, await roster.ApproveAsync());
        Assert.Empty((await Given.WorkerViewAsync(worker)).Vouchers);
        Assert.Equal(RosterStatus.Submitted, (await roster.GetAsync())!.Status);

        Ok(await institution.ReinstateAsync("rectified"));
        Assert.Equal(RosterStatus.Approved, (await roster.ApproveAsync()).GetValueOrThrow().Status);
        Assert.Single((await Given.WorkerViewAsync(worker)).Vouchers);
    }

    [Fact]
    public async Task R11_a_roster_of_an_institution_outside_the_campaigns_region_issues_nothing()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.InstitutionAsync("SHSCHOOL", Huangpu);
        await Given.CampaignAsync("directed", Directed(Fujian, Nursery));
        var worker = await Given.WorkerAsync(1);

        // Its vouchers would be bound to an institution that may not verify them, and hold the worker (R7) till they lapse.
        Rejected(RejectionCode.OutOfRegion, await Grains.GetGrain<IRosterGrain>("directed/1").SubmitAsync(new RosterSubmission("SHSCHOOL", [new RosterEntry(worker, Nursery)])));

        // Nor when the institution moves out of the region between submission and approval.
        var roster = Grains.GetGrain<IRosterGrain>("directed/2");
        Ok(await roster.SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(worker, Nursery)])));
        await Given.InstitutionAsync("SCHOOL1", Huangpu);
        Rejected(RejectionCode.OutOfRegion, await roster.ApproveAsync());
        Assert.Empty((await Given.WorkerViewAsync(worker)).Vouchers);
    }

    [Fact]
    public async Task R1_a_roster_naming_an_occupation_outside_the_campaigns_catalogue_is_refused()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1", Gulou, false, Nursery, "4-07-05-01");
        await Given.CampaignAsync("directed", Directed(Fujian));
        var worker = await Given.WorkerAsync(1);

        // Listed for the institution, but not a subsidised programme of the region: the voucher could never be activated.
        Rejected(RejectionCode.OccupationNotInCatalogue, await Grains.GetGrain<IRosterGrain>("directed/1").SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(worker, "4-07-05-01")])));
        Ok(await Grains.GetGrain<IRosterGrain>("directed/2").SubmitAsync(new RosterSubmission("SCHOOL1", [new RosterEntry(worker, Nursery)])));
    }

    [Fact]
    public async Task R4_a_roster_approval_resumed_after_a_crash_issues_no_voucher_twice()
    {
        await Given.FujianAsync();
        await Given.InstitutionAsync("SCHOOL1");
        await Given.CampaignAsync("directed", Directed(Fujian, Nursery));
        var workers = await Task.WhenAll(Enumerable.Range(1, 5).Select(n => Given.WorkerAsync(n)));
        Ok(await Grains.GetGrain<IRosterGrain>("directed/1").SubmitAsync(new RosterSubmission("SCHOOL1", [.. workers.Select(w => new RosterEntry(w, Nursery))])));

        // The third voucher's commit is durable, then the process dies before the roster saves its outcomes.
        var third = workers[2];
        await RestartAsync(inner => new FaultyGrainStorage(inner, Fault.FailAfterCommit, key => key.GrainType == "worker" && key.GrainKey == third));
        await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<IRosterGrain>("directed/1").ApproveAsync());
        await RestartAsync();

        var roster = (await Grains.GetGrain<IRosterGrain>("directed/1").ApproveAsync()).GetValueOrThrow();

        Assert.Equal(RosterStatus.Approved, roster.Status);
        Assert.All(roster.Outcomes, o => Assert.NotNull(o.VoucherCode));
        foreach (var worker in workers)
        {
            Assert.Single((await Given.WorkerViewAsync(worker)).Vouchers);
        }

        var statistics = await Grains.GetGrain<OrleansVoucher.Grains.Statistics.ICampaignStatisticsGrain>("directed").GetAsync();
        Assert.Equal(5, statistics.Issued);
        Assert.Equal(5, statistics.Current.Issued);
    }

    [Fact]
    public async Task R5_a_closed_campaign_or_one_outside_its_window_issues_nothing()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("closing", General(Fujian));
        await Given.CampaignAsync("later", General(Fujian) with { ClaimOpensAt = Given.Now.AddDays(10) });
        var worker = await Given.WorkerAsync(1);
        Ok(await Grains.GetGrain<ICampaignGrain>("closing").CloseAsync("funds reallocated"));

        Rejected(RejectionCode.CampaignNotOpen, await Given.TryClaimAsync("closing", worker));
        Rejected(RejectionCode.OutsideClaimWindow, await Given.TryClaimAsync("later", worker));
        Given.Advance(TimeSpan.FromDays(10));
        Ok(await Given.TryClaimAsync("later", worker));
    }

    [Fact]
    public async Task R5_a_campaign_does_not_open_without_a_policy_or_with_an_occupation_outside_the_catalogue()
    {
        var campaign = Grains.GetGrain<ICampaignGrain>("no-policy");
        Ok(await campaign.CreateAsync(General(Shanghai)));
        Rejected(RejectionCode.RegionPolicyNotSet, await campaign.OpenAsync());

        await Given.FujianAsync();
        var unknown = Grains.GetGrain<ICampaignGrain>("unknown-occupation");
        Ok(await unknown.CreateAsync(General(Fujian) with { OccupationCode = "2-02-10-99" }));
        Rejected(RejectionCode.OccupationNotInCatalogue, await unknown.OpenAsync());
        Rejected(RejectionCode.InvalidRequest, await Grains.GetGrain<ICampaignGrain>("bad").CreateAsync(General(Fujian, quantity: 0)));
    }
}

public sealed class ClaimTestsOnMemory : ClaimTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class ClaimTestsOnPostgreSql(PostgresFixture fixture) : ClaimTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
