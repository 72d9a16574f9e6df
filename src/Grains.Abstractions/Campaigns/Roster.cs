using OrleansVoucher.Grains.Catalogues;

namespace OrleansVoucher.Grains.Campaigns;

/// <summary>Where a roster stands.</summary>
public enum RosterStatus
{
    /// <summary>Submitted, awaiting the authority.</summary>
    Submitted,

    /// <summary>Approved: vouchers were issued to its entries.</summary>
    Approved,

    /// <summary>Rejected with a reason.</summary>
    Rejected,
}

/// <summary>One trainee of a roster.</summary>
/// <param name="CitizenId">The trainee.</param>
/// <param name="OccupationCode">The occupation the voucher is bound to.</param>
/// <param name="Level">The skill level, or null.</param>
public sealed record RosterEntry(string CitizenId, string OccupationCode, SkillLevel? Level = null);

/// <summary>An institution's (or industry department's) list of enrolled trainees for a directed campaign (R4, seed 002 二(二)(三)).</summary>
/// <param name="InstitutionId">The submitting institution.</param>
/// <param name="Entries">The trainees.</param>
public sealed record RosterSubmission(string InstitutionId, IReadOnlyList<RosterEntry> Entries);

/// <summary>What issuing to one roster entry gave.</summary>
/// <param name="Entry">The entry.</param>
/// <param name="VoucherCode">The voucher issued, if any.</param>
/// <param name="Rejection">Why none was issued.</param>
/// <param name="Detail">More on the rejection.</param>
public sealed record RosterEntryOutcome(RosterEntry Entry, string? VoucherCode, RejectionCode? Rejection, string? Detail);

/// <summary>A roster.</summary>
/// <param name="Id">Its key.</param>
/// <param name="CampaignId">The directed campaign.</param>
/// <param name="InstitutionId">The submitting institution.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Entries">The trainees.</param>
/// <param name="Outcomes">Per-entry issuance outcomes, once approved.</param>
/// <param name="Reason">Why it was rejected.</param>
public sealed record RosterView(
    string Id,
    string CampaignId,
    string InstitutionId,
    RosterStatus Status,
    IReadOnlyList<RosterEntry> Entries,
    IReadOnlyList<RosterEntryOutcome> Outcomes,
    string? Reason);
