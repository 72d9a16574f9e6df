using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Regions;

namespace OrleansVoucher.Grains.Campaigns;

/// <summary>Where a campaign stands.</summary>
public enum CampaignStatus
{
    /// <summary>Being designed; may still change.</summary>
    Draft,

    /// <summary>Issuing.</summary>
    Open,

    /// <summary>No longer issuing; vouchers already issued run their course.</summary>
    Closed,
}

/// <summary>A campaign with its stock.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Definition">Its design.</param>
/// <param name="Status">Draft, open or closed.</param>
/// <param name="Policy">The policy its vouchers are issued under: the region's at opening, or the campaign's override.</param>
/// <param name="AllocatedQuantity">Vouchers handed to its issuers so far (an upper bound of those issued).</param>
/// <param name="AllocatedBudgetFen">Budget handed to its issuers so far.</param>
/// <param name="OpenedAt">When it opened.</param>
/// <param name="ClosedAt">When it closed.</param>
public sealed record CampaignView(
    string Id,
    CampaignDefinition Definition,
    CampaignStatus Status,
    RegionPolicy? Policy,
    int AllocatedQuantity,
    long AllocatedBudgetFen,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt);

/// <summary>A worker's claim of a general voucher (领券).</summary>
/// <param name="CitizenId">The worker, after real-name verification.</param>
/// <param name="Level">The skill level the worker claims for, when face values differ by level.</param>
public sealed record ClaimRequest(string CitizenId, SkillLevel? Level = null);

/// <summary>A claimed voucher.</summary>
/// <param name="VoucherCode">Its canonical code.</param>
/// <param name="AmountFen">Its face value or reserve.</param>
/// <param name="Deadline">When it expires unless used.</param>
public sealed record ClaimReceipt(string VoucherCode, long AmountFen, DateTimeOffset Deadline);
