namespace OrleansVoucher.Grains.BulkIssuance;

/// <summary>
/// A campaign's bulk jobs, keyed by the campaign id: every job an upload to the campaign started, in the
/// order the uploads began, whatever became of them.
/// </summary>
public interface ICampaignJobsGrain : IGrainWithStringKey
{
    /// <summary>The campaign's job ids, oldest first.</summary>
    Task<IReadOnlyList<string>> ListAsync();
}
