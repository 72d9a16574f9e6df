using OrleansVoucher.Grains;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Tests.Storage;
using static OrleansVoucher.Tests.Domain.Scenario;

namespace OrleansVoucher.Tests.Domain;

/// <summary>Provincial variants as policy settings of regions and campaigns (R7, R9, R10, R12, R14).</summary>
public abstract class PolicyTests : DomainTestBase
{
    [Fact]
    public async Task R9_a_policy_with_periods_or_percentages_out_of_range_is_refused()
    {
        var region = Grains.GetGrain<IRegionGrain>(Fujian);

        Rejected(RejectionCode.InvalidRequest, await region.SetPolicyAsync(RegionPolicy.Fujian with { Validity = ValidityPolicy.Single(0) }));
        Rejected(RejectionCode.InvalidRequest, await region.SetPolicyAsync(RegionPolicy.Fujian with { AttendanceThresholdPercent = 101 }));
        Rejected(RejectionCode.InvalidRequest, await region.SetPolicyAsync(RegionPolicy.Fujian with { YearlyLimits = new YearlyLimits(0, null) }));
        Rejected(RejectionCode.InvalidRegionCode, await Grains.GetGrain<IRegionGrain>("35").SetPolicyAsync(RegionPolicy.Fujian));
        Assert.Null(await region.GetPolicyAsync());
        Ok(await region.SetPolicyAsync(RegionPolicy.Shanghai));
        Assert.Equal(RegionPolicy.Shanghai, await region.GetPolicyAsync());
    }

    [Fact]
    public async Task R9_vouchers_keep_the_policy_they_were_issued_under()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("before", General(Fujian));
        var code = await Given.ClaimAsync("before", await Given.WorkerAsync(1));

        Ok(await Grains.GetGrain<IRegionGrain>(Fujian).SetPolicyAsync(RegionPolicy.Fujian with { Validity = ValidityPolicy.Single(6) }));
        await Given.CampaignAsync("after", General(Fujian));
        var later = await Given.ClaimAsync("after", await Given.WorkerAsync(2));

        Assert.Equal(new DateTimeOffset(2026, 6, 3, 0, 0, 0, ChinaTime.Offset), (await Given.VoucherAsync(code)).Deadline);
        Assert.Equal(new DateTimeOffset(2026, 9, 3, 0, 0, 0, ChinaTime.Offset), (await Given.VoucherAsync(later)).Deadline);
        Assert.Equal(ValidityPolicy.Single(3), (await Grains.GetGrain<ICampaignGrain>("before").GetAsync())!.Policy!.Validity);
    }

    [Fact]
    public async Task R10_a_campaign_may_override_its_regions_policy()
    {
        await Given.FujianAsync();
        await Given.CampaignAsync("shaoxing-style", General(Fujian) with { PolicyOverride = RegionPolicy.Shaoxing });
        var code = await Given.ClaimAsync("shaoxing-style", await Given.WorkerAsync(1));

        var campaign = (await Grains.GetGrain<ICampaignGrain>("shaoxing-style").GetAsync())!;

        Assert.Equal(RegionPolicy.Shaoxing, campaign.Policy);
        Assert.Equal(ValidityMode.ActivateThenUse, campaign.Policy!.Validity.Mode);
        Assert.Equal(new DateTimeOffset(2026, 6, 3, 0, 0, 0, ChinaTime.Offset), (await Given.VoucherAsync(code)).Deadline);
    }

    [Fact]
    public async Task R12_a_district_uses_its_citys_or_provinces_policy_when_it_has_none()
    {
        await Given.RegionAsync(Shanghai, RegionPolicy.Shanghai);
        await Given.InstitutionAsync("SCHOOL1", Huangpu);

        // Shanghai's 3-day lead time reaches the Huangpu district institution.
        Rejected(RejectionCode.RegistrationTooLate, await Grains.GetGrain<OrleansVoucher.Grains.Institutions.IInstitutionGrain>("SCHOOL1").RegisterClassAsync(
            new OrleansVoucher.Grains.Classes.ClassRegistration("C1", Ecommerce, null, Given.Sessions(TimeSpan.FromDays(1)))));
        Assert.Contains("SCHOOL1", await Grains.GetGrain<IRegionGrain>(Huangpu).ListInstitutionsAsync());
    }

    [Fact]
    public async Task R5_a_draft_campaign_can_change_and_an_open_one_cannot()
    {
        await Given.FujianAsync();
        var campaign = Grains.GetGrain<ICampaignGrain>("draft");
        Ok(await campaign.CreateAsync(General(Fujian)));
        Rejected(RejectionCode.AlreadyExists, await campaign.CreateAsync(General(Fujian)));
        Ok(await campaign.UpdateAsync(General(Fujian, quantity: 5)));
        Rejected(RejectionCode.InvalidRequest, await campaign.UpdateAsync(General(Shanghai)));
        Ok(await campaign.OpenAsync());

        Rejected(RejectionCode.CampaignNotDraft, await campaign.UpdateAsync(General(Fujian, quantity: 500)));
        Assert.Equal(5, (await campaign.GetAsync())!.Definition.QuantityCap);
        Assert.Contains("draft", await Grains.GetGrain<IRegionGrain>(Fujian).ListCampaignsAsync());
    }
}

public sealed class PolicyTestsOnMemory : PolicyTests
{
    protected override Task<DomainStore> CreateStoreAsync() => Task.FromResult<DomainStore>(new MemoryDomainStore(Clock));
}

[Collection(PostgresCollection.Name)]
public sealed class PolicyTestsOnPostgreSql(PostgresFixture fixture) : PolicyTests
{
    protected override async Task<DomainStore> CreateStoreAsync() => await PostgresDomainStore.ForClassAsync(fixture, GetType());
}
