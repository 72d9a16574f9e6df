using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Settlement;

namespace OrleansVoucher.Grains.Vouchers;

/// <summary>A new voucher, as its issuer creates it.</summary>
internal sealed record VoucherIssue(
    string CampaignId,
    string RegionCode,
    string CitizenId,
    ValueMode ValueMode,
    IssuanceMode IssuanceMode,
    Tier Tier,
    long AmountFen,
    string? BoundOccupation,
    SkillLevel? Level,
    string? BoundInstitution,
    string? RosterId,
    VoucherStatus Status,
    DateTimeOffset Deadline,
    RegionPolicy Policy,
    int CatalogueYear,
    int SubsidyRatioPercent,
    DateTimeOffset ClaimClosesAt,
    DateTimeOffset Now);

/// <summary>A verification at enrolment, as the institution presents it (R11).</summary>
internal sealed record ActivationRequest(
    string PresenterCitizenId,
    string InstitutionId,
    string InstitutionRegion,
    string ClassKey,
    string OccupationCode,
    SkillLevel? Level,
    DateTimeOffset ClassStartsAt,
    long ClassOnlineMinutes,
    long ClassTotalMinutes,
    DateTimeOffset Now);

/// <summary>What the coordinator of a verification needs from the voucher.</summary>
/// <param name="CampaignId">The voucher's campaign.</param>
/// <param name="CitizenId">Its holder.</param>
/// <param name="Year">The local year whose slot the activation takes (R10).</param>
/// <param name="Limits">The yearly limits it was issued under.</param>
/// <param name="DeadlineBefore">Its deadline before the activation.</param>
/// <param name="Deadline">Its deadline once activated.</param>
/// <param name="StandardFen">The catalogue's standard for the occupation at the class's level, when enrolled (R16).</param>
/// <param name="Uplifts">The catalogue's group uplifts for the occupation, when enrolled (R16).</param>
internal sealed record ActivationFacts(
    string CampaignId,
    string CitizenId,
    int Year,
    YearlyLimits Limits,
    DateTimeOffset DeadlineBefore,
    DateTimeOffset Deadline,
    long? StandardFen,
    IReadOnlyList<GroupUplift> Uplifts);

/// <summary>The answer to a read-only check of an activation: the voucher's status, and what the activation would record or why it is refused.</summary>
/// <param name="Status">The voucher's status; null when it does not exist or the presenter is not its holder.</param>
/// <param name="Facts">What an activation now would record, or the rejection it would meet.</param>
internal sealed record ActivationCheck(VoucherStatus? Status, Result<ActivationFacts> Facts);

/// <summary>A rollback of a verification.</summary>
internal sealed record RollbackRequest(string InstitutionId, DateTimeOffset Now);

/// <summary>What the coordinator of a rollback needs from the voucher.</summary>
internal sealed record RollbackFacts(string CampaignId, string CitizenId, string ClassKey, DateTimeOffset DeadlineBefore, DateTimeOffset Deadline);

/// <summary>A completion, as the class presents it (R14, R15).</summary>
internal sealed record CompletionRequest(
    string ClassKey,
    string InstitutionId,
    string? OnlinePartnerId,
    string CertificateNumber,
    int AttendancePercent,
    long OnlineMinutes,
    long TotalMinutes,
    DateTimeOffset Now);

/// <summary>What the coordinator of a completion needs from the voucher.</summary>
internal sealed record CompletionFacts(string CampaignId, string CitizenId, DateTimeOffset DeadlineBefore);

/// <summary>An institution's settlement claim, as it presents it.</summary>
internal sealed record SettlementClaimRequest(string InstitutionId, TrainingPart Part, PaymentTarget PaymentTarget, DateTimeOffset Now);

/// <summary>What the coordinator of a settlement claim needs from the voucher.</summary>
internal sealed record SettlementFacts(string CampaignId, string CitizenId, SettlementPartView Part);

/// <summary>The authority's approval of an institution's claim, as the institution it pays presents it.</summary>
internal sealed record SettlementApprovalRequest(string InstitutionId, TrainingPart Part, DateTimeOffset Now);

/// <summary>What the coordinator of a settlement approval needs from the voucher.</summary>
/// <param name="CampaignId">The voucher's campaign.</param>
/// <param name="CitizenId">Its holder.</param>
/// <param name="From">Its status before the approval.</param>
/// <param name="To">Its status once approved: settled when every part is (R17).</param>
/// <param name="Part">The part, approved.</param>
internal sealed record SettlementApprovalFacts(string CampaignId, string CitizenId, VoucherStatus From, VoucherStatus To, SettlementPartView Part);

/// <summary>The voucher's part in the transactions that issue, activate, roll back, complete it, claim its settlement and approve it.</summary>
internal interface IVoucherParticipant : IGrainWithStringKey
{
    /// <summary>Holds the new voucher pending; refuses if the code exists.</summary>
    Task<Prepared<Result>> PrepareIssueAsync(TransactionId transaction, VoucherIssue issue);

    /// <summary>Checks the voucher side of R8, R9 and R11 and holds the activation pending.</summary>
    Task<Prepared<Result<ActivationFacts>>> PrepareActivationAsync(TransactionId transaction, ActivationRequest request);

    /// <summary>Checks the voucher side of R8, R9 and R11 as <see cref="PrepareActivationAsync"/> does, on the committed state, and changes nothing.</summary>
    Task<ActivationCheck> CheckActivationAsync(ActivationRequest request);

    /// <summary>Holds the rollback of an activation pending.</summary>
    Task<Prepared<Result<RollbackFacts>>> PrepareRollbackAsync(TransactionId transaction, RollbackRequest request);

    /// <summary>Checks attendance (R14), works out the parts' amounts (R15, R16) and holds the completion pending.</summary>
    Task<Prepared<Result<CompletionFacts>>> PrepareCompletionAsync(TransactionId transaction, CompletionRequest request);

    /// <summary>Holds a part's settlement claim pending.</summary>
    Task<Prepared<Result<SettlementFacts>>> PrepareSettlementClaimAsync(TransactionId transaction, SettlementClaimRequest request);

    /// <summary>Holds the approval of a part's settlement claim pending: the claim awaits a decision and is the presenting institution's.</summary>
    Task<Prepared<Result<SettlementApprovalFacts>>> PrepareSettlementApprovalAsync(TransactionId transaction, SettlementApprovalRequest request);

    /// <summary>Applies a transaction's outcome.</summary>
    Task CompleteAsync(TransactionOutcome outcome);
}
