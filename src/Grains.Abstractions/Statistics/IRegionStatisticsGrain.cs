namespace OrleansVoucher.Grains.Statistics;

/// <summary>A region's indicators (R19), keyed by region code: the sum over the campaigns the region created.</summary>
public interface IRegionStatisticsGrain : IGrainWithStringKey
{
    /// <summary>The indicators now.</summary>
    Task<VoucherStatistics> GetAsync();
}
