using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Grains.Workers;

/// <summary>A voucher about to be issued to a worker, with the rules the worker must meet to receive it.</summary>
/// <param name="Code">The voucher.</param>
/// <param name="CampaignId">Its campaign.</param>
/// <param name="CampaignRegion">The campaign's region, for local-insurance and residence rules.</param>
/// <param name="Status">Issued (directed) or claimed (general).</param>
/// <param name="Deadline">Its deadline.</param>
/// <param name="Eligibility">The campaign's eligibility rules (R6).</param>
/// <param name="OneLiveVoucher">Whether a valid unused voucher held blocks a new one (R7).</param>
/// <param name="RosterId">The roster issuing it, for a directed voucher.</param>
/// <param name="Now">The time of the issuance.</param>
internal sealed record VoucherGrant(
    string Code,
    string CampaignId,
    string CampaignRegion,
    VoucherStatus Status,
    DateTimeOffset Deadline,
    EligibilityRules Eligibility,
    bool OneLiveVoucher,
    string? RosterId,
    DateTimeOffset Now);

/// <summary>The worker's answer to a grant: a rejection, or the voucher this roster already issued to the worker.</summary>
/// <param name="Rejection">Why the worker cannot receive it.</param>
/// <param name="ExistingCode">The voucher the same roster issued before (the grant is a repeat; nothing to write).</param>
internal sealed record GrantVote(Result Rejection, string? ExistingCode);

/// <summary>A yearly slot an activation takes (R10).</summary>
/// <param name="Code">The voucher activated.</param>
/// <param name="OccupationCode">The occupation.</param>
/// <param name="Year">The local calendar year.</param>
/// <param name="Limits">The limits the voucher was issued under.</param>
/// <param name="Deadline">The voucher's deadline once activated.</param>
internal sealed record SlotRequest(string Code, string OccupationCode, int Year, YearlyLimits Limits, DateTimeOffset Deadline);

/// <summary>A change of a held voucher: claimed, rolled back to claimed, or retired (completed, revoked).</summary>
/// <param name="Code">The voucher.</param>
/// <param name="Status">Its new status; a final status retires it from the held vouchers.</param>
/// <param name="Deadline">Its new deadline, while live.</param>
/// <param name="ReleaseSlot">Whether the yearly slot it took is released (a rolled-back activation).</param>
internal sealed record HeldChange(string Code, VoucherStatus Status, DateTimeOffset? Deadline, bool ReleaseSlot = false);

/// <summary>The worker's part in transactions that issue, activate, roll back, complete or revoke its vouchers.</summary>
internal interface IWorkerParticipant : IGrainWithStringKey
{
    /// <summary>Checks eligibility (R6) and the one-live-voucher rule (R7), and holds the voucher pending.</summary>
    Task<Prepared<GrantVote>> PrepareGrantAsync(TransactionId transaction, VoucherGrant grant);

    /// <summary>
    /// Answers a grant as <see cref="PrepareGrantAsync"/> would, on the committed state, and holds
    /// nothing: for an issuer that knows it cannot issue and needs only the worker's verdict.
    /// </summary>
    Task<GrantVote> CheckGrantAsync(VoucherGrant grant);

    /// <summary>Checks the yearly limits (R10) and holds the slot pending.</summary>
    Task<Prepared<Result>> PrepareActivationAsync(TransactionId transaction, SlotRequest request);

    /// <summary>Checks the yearly limits (R10) as <see cref="PrepareActivationAsync"/> does, on the committed state, and changes nothing.</summary>
    Task<Result> CheckActivationAsync(SlotRequest request);

    /// <summary>Holds a change of a held voucher pending.</summary>
    Task<Prepared<Result>> PrepareChangeAsync(TransactionId transaction, HeldChange change);

    /// <summary>Applies a transaction's outcome.</summary>
    Task CompleteAsync(TransactionOutcome outcome);
}
