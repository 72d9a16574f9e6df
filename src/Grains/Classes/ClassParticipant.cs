using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Institutions;

namespace OrleansVoucher.Grains.Classes;

/// <summary>A class as its institution creates it, with the token key derived for it.</summary>
internal sealed record ClassDefinition(
    string InstitutionId,
    string OccupationCode,
    SkillLevel? Level,
    IReadOnlyList<SessionPlan> Sessions,
    string? OnlinePartnerId,
    GeoPoint? Site,
    int SiteRadiusMetres,
    int? Capacity,
    byte[] TokenKey);

/// <summary>A trainee enrolling with a verified voucher.</summary>
internal sealed record Enrolment(string CitizenId, string VoucherCode, string CampaignId, DateTimeOffset Now);

/// <summary>What a verification needs to know of a class.</summary>
/// <param name="OccupationCode">The occupation it trains.</param>
/// <param name="Level">Its skill level, if any.</param>
/// <param name="StartsAt">When its first session starts.</param>
/// <param name="OnlineMinutes">Minutes of its online sessions.</param>
/// <param name="TotalMinutes">Minutes of all its sessions.</param>
internal sealed record ClassFacts(string OccupationCode, SkillLevel? Level, DateTimeOffset StartsAt, long OnlineMinutes, long TotalMinutes);

/// <summary>The answer to a read-only check of an enrolment.</summary>
/// <param name="Class">The class's facts; null when there is no such class.</param>
/// <param name="Enrolment">Whether the trainee could enrol now, or why not.</param>
internal sealed record EnrolmentCheck(ClassFacts? Class, Result Enrolment);

/// <summary>The class's part in its institution's operations.</summary>
internal interface IClassParticipant : IGrainWithStringKey
{
    /// <summary>Creates the class; refuses if it exists.</summary>
    Task<Result> CreateAsync(ClassDefinition definition);

    /// <summary>Holds a trainee's enrolment pending.</summary>
    Task<Prepared<Result>> PrepareEnrolmentAsync(TransactionId transaction, Enrolment enrolment);

    /// <summary>
    /// The class's facts a verification reads and a check of the trainee's enrolment as
    /// <see cref="PrepareEnrolmentAsync"/> does, on the committed state, in one call; changes nothing.
    /// </summary>
    Task<EnrolmentCheck> CheckEnrolmentAsync(string citizenId);

    /// <summary>Holds a trainee's withdrawal pending (a rolled-back verification).</summary>
    Task<Prepared<Result>> PrepareWithdrawalAsync(TransactionId transaction, string citizenId, string voucherCode);

    /// <summary>Applies a transaction's outcome.</summary>
    Task CompleteAsync(TransactionOutcome outcome);
}
