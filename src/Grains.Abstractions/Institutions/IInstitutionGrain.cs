using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Settlement;

namespace OrleansVoucher.Grains.Institutions;

/// <summary>
/// A training institution or online platform in the authority's catalogue, keyed by its id (e.g. its
/// unified social credit code). It verifies vouchers at enrolment, registers classes, issues check-in
/// codes and claims settlements; the authority lists, sanctions and reinstates it.
/// </summary>
public interface IInstitutionGrain : IGrainWithStringKey
{
    /// <summary>Lists the institution in the catalogue, or updates its listing (R2). Lifts a removal.</summary>
    Task<Result<InstitutionView>> ListAsync(InstitutionListing listing);

    /// <summary>The institution, or null when it was never listed.</summary>
    Task<InstitutionView?> GetAsync();

    /// <summary>Records a strike; reaching the region's limit of one kind in a year suspends the institution (R3).</summary>
    Task<Result<InstitutionView>> RecordStrikeAsync(StrikeKind kind, string reason);

    /// <summary>Suspends the institution (R3).</summary>
    Task<Result> SuspendAsync(string reason);

    /// <summary>Reinstates a suspended institution once rectified (R3); this year's strikes are cleared.</summary>
    Task<Result> ReinstateAsync(string reason);

    /// <summary>Removes the institution from the catalogue for a violation (R3).</summary>
    Task<Result> RemoveAsync(string reason);

    /// <summary>Registers a class and its sessions (R12 lead time, R14 online share, R15 offline practice).</summary>
    Task<Result<ClassView>> RegisterClassAsync(ClassRegistration registration);

    /// <summary>
    /// Verifies a voucher at enrolment (R11): the presenter is the holder, the voucher is claimed and
    /// valid, the institution is active and may train the class's occupation, a directed voucher's
    /// occupation matches, and the worker's yearly limits hold (R10). On success the voucher is
    /// activated, the yearly slot taken and the trainee enrolled, all in one atomic write.
    /// </summary>
    Task<Result<VerificationReceipt>> VerifyVoucherAsync(VerificationRequest request);

    /// <summary>
    /// Checks a voucher as <see cref="VerifyVoucherAsync"/> would, on the committed state of every grain
    /// it reads, and changes nothing: no grain state, no event, no write to storage. For scanning a
    /// voucher at the desk before enrolling.
    /// </summary>
    Task<VoucherCheck> CheckVoucherAsync(VerificationRequest request);

    /// <summary>Rolls back a verification before the class starts: the voucher returns to claimed and the yearly slot is released.</summary>
    Task<Result> RollBackVerificationAsync(string voucherCode, string reason);

    /// <summary>Issues a signed check-in code for a session of one of the institution's classes, valid for at most 15 minutes (R13).</summary>
    Task<Result<CheckInToken>> IssueCheckInTokenAsync(string classCode, int session, TimeSpan validFor);

    /// <summary>Claims the subsidy for the institution's part of a completed voucher (R15, R16).</summary>
    Task<Result<SettlementPartView>> ClaimSettlementAsync(SettlementRequest request);

    /// <summary>
    /// The issuing authority approves the institution's claim for a part of a voucher (R16); with every part
    /// approved the voucher is settled and its code invalid for good (R17). Refused while the institution is
    /// suspended or removed (R3): its claim waits for reinstatement or listing again. The approval and the
    /// institution's record are one atomic write, so a suspension or removal that lands first, through any
    /// engine, refuses it.
    /// </summary>
    Task<Result<SettlementPartView>> ApproveSettlementAsync(string voucherCode, TrainingPart part);
}
