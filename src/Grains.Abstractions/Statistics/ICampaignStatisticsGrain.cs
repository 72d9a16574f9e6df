namespace OrleansVoucher.Grains.Statistics;

/// <summary>
/// A campaign's indicators (R19), keyed by campaign id. Every read folds the campaign's durable event
/// stream to its end (remembering how far it folded), so the figures are exact at all times, and
/// counts expired vouchers from their deadlines without touching any voucher.
/// </summary>
public interface ICampaignStatisticsGrain : IGrainWithStringKey
{
    /// <summary>The indicators now.</summary>
    Task<VoucherStatistics> GetAsync();

    /// <summary>The indicators recounted from the first event of the stream, ignoring the saved fold; equal to <see cref="GetAsync"/>.</summary>
    Task<VoucherStatistics> RecountAsync();
}
