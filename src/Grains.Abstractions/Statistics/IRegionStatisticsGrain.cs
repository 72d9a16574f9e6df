namespace OrleansVoucher.Grains.Statistics;

/// <summary>
/// A region's indicators (R19), keyed by region code: the sum over the campaigns created in the region
/// and in its cities and districts, so a province sees its whole territory.
/// </summary>
public interface IRegionStatisticsGrain : IGrainWithStringKey
{
    /// <summary>The indicators now.</summary>
    Task<VoucherStatistics> GetAsync();
}
