namespace OrleansVoucher.Grains.Campaigns;

/// <summary>
/// A roster of a directed campaign, keyed <c>{campaignId}/{rosterNo}</c>: an institution submits its
/// enrolled trainees, the authority approves, and a voucher bound to each named worker and occupation
/// is issued (R4). Approval is resumable: approving again issues to the entries not yet done.
/// </summary>
public interface IRosterGrain : IGrainWithStringKey
{
    /// <summary>Submits the roster. The institution must be listed, active and allowed each occupation.</summary>
    Task<Result<RosterView>> SubmitAsync(RosterSubmission submission);

    /// <summary>Approves the roster and issues its vouchers; entries that cannot be issued are reported with their reason.</summary>
    Task<Result<RosterView>> ApproveAsync();

    /// <summary>Rejects the roster.</summary>
    Task<Result<RosterView>> RejectAsync(string reason);

    /// <summary>The roster, or null.</summary>
    Task<RosterView?> GetAsync();
}
