using OrleansVoucher.Grains.Common;
using OrleansVoucher.Grains.Regions;

namespace OrleansVoucher.Grains.Statistics;

/// <summary>A region's indicators (R19): the sum over the campaigns of the region and its cities and districts, each exact.</summary>
[GrainType("region-statistics")]
internal sealed class RegionStatisticsGrain : Grain, IRegionStatisticsGrain
{
    private readonly GrainServices _services;

    public RegionStatisticsGrain(IServiceProvider services) => _services = new GrainServices(services);

    public async Task<VoucherStatistics> GetAsync()
    {
        var region = this.GetPrimaryKeyString();
        var campaigns = await GrainFactory.GetGrain<IRegionGrain>(region).ListCampaignsAsync();
        var parts = await Task.WhenAll(campaigns.Select(c => GrainFactory.GetGrain<ICampaignStatisticsGrain>(c).GetAsync()));
        var now = _services.Now;
        return parts.Aggregate(
            new VoucherStatistics { Scope = $"region/{region}", AsOf = now },
            (sum, part) => sum with
            {
                Issued = sum.Issued + part.Issued,
                IssuedFaceValue = sum.IssuedFaceValue + part.IssuedFaceValue,
                IssuedGeneral = sum.IssuedGeneral + part.IssuedGeneral,
                Claimed = sum.Claimed + part.Claimed,
                Activated = sum.Activated + part.Activated,
                Completed = sum.Completed + part.Completed,
                Settled = sum.Settled + part.Settled,
                Expired = sum.Expired + part.Expired,
                Revoked = sum.Revoked + part.Revoked,
                Evaluated = sum.Evaluated + part.Evaluated,
                Current = sum.Current.Add(part.Current),
                IssuedAmountFen = sum.IssuedAmountFen + part.IssuedAmountFen,
                PendingSettlementFen = sum.PendingSettlementFen + part.PendingSettlementFen,
                SettledAmountFen = sum.SettledAmountFen + part.SettledAmountFen,
            });
    }
}
