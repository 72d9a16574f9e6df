namespace OrleansVoucher.Grains;

/// <summary>
/// Why a request was refused. The names are stable: clients and the HTTP API map each to a problem
/// type, so a code is never renamed or reused. A rejection is an answer, not a fault: nothing changed.
/// </summary>
public enum RejectionCode
{
    /// <summary>The request is malformed or a value is out of range; the detail names it.</summary>
    InvalidRequest,

    /// <summary>The citizen id is not 18 characters with a valid birth date and ISO 7064 MOD 11-2 check character.</summary>
    InvalidCitizenId,

    /// <summary>The voucher code is malformed or its check character does not match (a mistyped or misread character).</summary>
    InvalidVoucherCode,

    /// <summary>The region code is not a 6-digit administrative code.</summary>
    InvalidRegionCode,

    /// <summary>The occupation code is not a code of the national classification (e.g. <c>4-10-01-02</c>) or a local <c>L-</c> code.</summary>
    InvalidOccupationCode,

    /// <summary>The thing to create exists already.</summary>
    AlreadyExists,

    /// <summary>The region has no policy set.</summary>
    RegionPolicyNotSet,

    /// <summary>No voucher has this code.</summary>
    VoucherNotFound,

    /// <summary>No campaign has this id.</summary>
    CampaignNotFound,

    /// <summary>No roster has this id.</summary>
    RosterNotFound,

    /// <summary>No class has this id.</summary>
    ClassNotFound,

    /// <summary>The worker is not registered (no attributes are known), so eligibility cannot be decided.</summary>
    WorkerNotRegistered,

    /// <summary>The occupation is not in the region's catalogue for the year (R1).</summary>
    OccupationNotInCatalogue,

    /// <summary>The institution is not in the catalogue (R2).</summary>
    InstitutionNotListed,

    /// <summary>The institution is suspended (R3): it cannot verify or settle until reinstated.</summary>
    InstitutionSuspended,

    /// <summary>The institution was removed from the catalogue (R3).</summary>
    InstitutionRemoved,

    /// <summary>The institution may not train this occupation (R2, R11).</summary>
    OccupationNotAllowed,

    /// <summary>The institution's region is outside the issuing authority's region.</summary>
    OutOfRegion,

    /// <summary>The campaign is not open (a draft, or closed).</summary>
    CampaignNotOpen,

    /// <summary>The campaign cannot change in its current state (e.g. editing an open campaign).</summary>
    CampaignNotDraft,

    /// <summary>The campaign's claim window has not opened or has closed.</summary>
    OutsideClaimWindow,

    /// <summary>The campaign's quantity cap is reached (R5).</summary>
    StockExhausted,

    /// <summary>The campaign's budget cannot cover this voucher (R5).</summary>
    BudgetExhausted,

    /// <summary>The worker does not meet the campaign's eligibility rules (R6); the detail names the rule.</summary>
    NotEligible,

    /// <summary>The worker already holds a valid, unused voucher (R7).</summary>
    LiveVoucherHeld,

    /// <summary>The campaign issues directed vouchers only through approved rosters, or general ones only by claim.</summary>
    WrongIssuanceMode,

    /// <summary>The voucher has passed its deadline (R9).</summary>
    VoucherExpired,

    /// <summary>The voucher was revoked by the authority.</summary>
    VoucherRevoked,

    /// <summary>The voucher has been settled and its code is invalid for good (R17).</summary>
    VoucherSettled,

    /// <summary>The voucher was claimed already (R8).</summary>
    AlreadyClaimed,

    /// <summary>The voucher was used already: it is activated, completed or settled (R8).</summary>
    AlreadyUsed,

    /// <summary>The voucher must be claimed before this.</summary>
    NotClaimed,

    /// <summary>The voucher is not activated, or not at this institution.</summary>
    NotActivated,

    /// <summary>The person presenting the voucher is not its holder (R8, R11).</summary>
    IdentityMismatch,

    /// <summary>A directed voucher's occupation differs from the class's (R11).</summary>
    OccupationMismatch,

    /// <summary>The voucher's skill level differs from the class's.</summary>
    LevelMismatch,

    /// <summary>A directed voucher is bound to another institution.</summary>
    InstitutionMismatch,

    /// <summary>The worker has reached a yearly training limit (R10).</summary>
    YearlyLimitReached,

    /// <summary>The class starts too soon for a registration or an enrolment (R12).</summary>
    RegistrationTooLate,

    /// <summary>The class has started, so its enrolments can no longer be rolled back.</summary>
    ClassStarted,

    /// <summary>The class has no free place.</summary>
    ClassFull,

    /// <summary>The worker is not enrolled in this class.</summary>
    NotEnrolled,

    /// <summary>The session is not open for check-in now, or does not exist.</summary>
    SessionNotOpen,

    /// <summary>The reported position is outside the site's radius (R13); the institution's QR code is the fallback.</summary>
    OutsideSiteRadius,

    /// <summary>The check-in token is forged, for another class or session, or expired (R13).</summary>
    InvalidCheckInToken,

    /// <summary>The check-in method does not fit the session (e.g. a location check-in for an online session).</summary>
    WrongCheckInMethod,

    /// <summary>Online hours exceed the online share cap of the programme (R14).</summary>
    OnlineShareExceeded,

    /// <summary>An operation-skill occupation needs offline practice (R15).</summary>
    OfflinePracticeRequired,

    /// <summary>The reporter is not the institution running this part of the training (R15).</summary>
    NotTrainingParty,

    /// <summary>The attendance rate is below the threshold (R14).</summary>
    AttendanceBelowThreshold,

    /// <summary>The voucher is not completed (training passed, certificate recorded), so it cannot be settled (R16, R18).</summary>
    NotCompleted,

    /// <summary>The voucher carries no subsidy (a check-in-only voucher, R4).</summary>
    NoSubsidy,

    /// <summary>A settlement claim for this part exists already.</summary>
    SettlementAlreadyClaimed,

    /// <summary>No settlement claim awaits a decision for this part.</summary>
    SettlementNotClaimed,

    /// <summary>The roster was decided already.</summary>
    RosterDecided,

    /// <summary>Another operation on the same voucher, worker or class is in progress; retry.</summary>
    ConcurrentOperation,

    /// <summary>The voucher would be void before the class starts (R9), so it cannot be used for that class.</summary>
    ValidityEndsBeforeClass,
}
