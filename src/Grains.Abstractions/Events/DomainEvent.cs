using System.Text.Json.Serialization;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.Events;

/// <summary>
/// Something that happened, appended to its durable streams (see <see cref="Streams"/>) in the same
/// atomic unit as the state change it announces (R19, R21): there is never a change without its event,
/// nor an event without its change. Stored as JSON with a <c>type</c> discriminator.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(VoucherIssued), nameof(VoucherIssued))]
[JsonDerivedType(typeof(VoucherClaimed), nameof(VoucherClaimed))]
[JsonDerivedType(typeof(VoucherActivated), nameof(VoucherActivated))]
[JsonDerivedType(typeof(VoucherActivationRolledBack), nameof(VoucherActivationRolledBack))]
[JsonDerivedType(typeof(VoucherCompleted), nameof(VoucherCompleted))]
[JsonDerivedType(typeof(SettlementClaimed), nameof(SettlementClaimed))]
[JsonDerivedType(typeof(SettlementApproved), nameof(SettlementApproved))]
[JsonDerivedType(typeof(SettlementRejected), nameof(SettlementRejected))]
[JsonDerivedType(typeof(VoucherRevoked), nameof(VoucherRevoked))]
[JsonDerivedType(typeof(CampaignCreated), nameof(CampaignCreated))]
[JsonDerivedType(typeof(CampaignUpdated), nameof(CampaignUpdated))]
[JsonDerivedType(typeof(CampaignOpened), nameof(CampaignOpened))]
[JsonDerivedType(typeof(CampaignClosed), nameof(CampaignClosed))]
[JsonDerivedType(typeof(StockAllocated), nameof(StockAllocated))]
[JsonDerivedType(typeof(RosterSubmitted), nameof(RosterSubmitted))]
[JsonDerivedType(typeof(RosterDecided), nameof(RosterDecided))]
[JsonDerivedType(typeof(InstitutionListed), nameof(InstitutionListed))]
[JsonDerivedType(typeof(InstitutionStatusChanged), nameof(InstitutionStatusChanged))]
[JsonDerivedType(typeof(StrikeRecorded), nameof(StrikeRecorded))]
[JsonDerivedType(typeof(ClassRegistered), nameof(ClassRegistered))]
[JsonDerivedType(typeof(TraineeCheckedIn), nameof(TraineeCheckedIn))]
[JsonDerivedType(typeof(ResultRecorded), nameof(ResultRecorded))]
[JsonDerivedType(typeof(EvaluationSubmitted), nameof(EvaluationSubmitted))]
[JsonDerivedType(typeof(RegionPolicyChanged), nameof(RegionPolicyChanged))]
[JsonDerivedType(typeof(CatalogueChanged), nameof(CatalogueChanged))]
[JsonDerivedType(typeof(WorkerRegistered), nameof(WorkerRegistered))]
[JsonDerivedType(typeof(VouchersIssuedInBulk), nameof(VouchersIssuedInBulk))]
public abstract record DomainEvent
{
    /// <summary>When it happened.</summary>
    public required DateTimeOffset At { get; init; }
}

/// <summary>
/// A change of one voucher: from which stored status to which, and how its deadline moved. Statistics
/// fold these generically; the subtypes carry the particulars.
/// </summary>
public abstract record VoucherEvent : DomainEvent
{
    /// <summary>The voucher.</summary>
    public required string Code { get; init; }

    /// <summary>Its campaign.</summary>
    public required string CampaignId { get; init; }

    /// <summary>Its holder.</summary>
    public required string CitizenId { get; init; }

    /// <summary>The stored status before; null when the voucher came into being with this event.</summary>
    public VoucherStatus? From { get; init; }

    /// <summary>The stored status after.</summary>
    public required VoucherStatus To { get; init; }

    /// <summary>The deadline before, if the voucher was live.</summary>
    public DateTimeOffset? DeadlineBefore { get; init; }

    /// <summary>The deadline after, if the voucher is live.</summary>
    public DateTimeOffset? DeadlineAfter { get; init; }
}

/// <summary>A directed voucher was issued to a named worker.</summary>
public sealed record VoucherIssued : VoucherEvent
{
    /// <summary>Face value, credit or check-in only.</summary>
    public ValueMode ValueMode { get; init; }

    /// <summary>Always directed; general vouchers come into being when claimed.</summary>
    public IssuanceMode IssuanceMode { get; init; }

    /// <summary>The face value or reserve.</summary>
    public long AmountFen { get; init; }

    /// <summary>The bound occupation.</summary>
    public string? OccupationCode { get; init; }

    /// <summary>The institution whose roster it came from.</summary>
    public string? InstitutionId { get; init; }

    /// <summary>The roster.</summary>
    public string? RosterId { get; init; }
}

/// <summary>A voucher was claimed: a general one comes into being, a directed one moves from issued.</summary>
public sealed record VoucherClaimed : VoucherEvent
{
    /// <summary>Face value, credit or check-in only.</summary>
    public ValueMode ValueMode { get; init; }

    /// <summary>General or directed.</summary>
    public IssuanceMode IssuanceMode { get; init; }

    /// <summary>The face value or reserve.</summary>
    public long AmountFen { get; init; }

    /// <summary>The occupation, if bound.</summary>
    public string? OccupationCode { get; init; }
}

/// <summary>A voucher was verified at enrolment and bound to an institution, occupation and class (R11).</summary>
public sealed record VoucherActivated : VoucherEvent
{
    /// <summary>The institution.</summary>
    public required string InstitutionId { get; init; }

    /// <summary>The class.</summary>
    public required string ClassKey { get; init; }

    /// <summary>The occupation.</summary>
    public required string OccupationCode { get; init; }

    /// <summary>The yearly slot's year (R10).</summary>
    public int Year { get; init; }
}

/// <summary>A verification was rolled back before its class started; the yearly slot was released.</summary>
public sealed record VoucherActivationRolledBack : VoucherEvent
{
    /// <summary>The institution.</summary>
    public required string InstitutionId { get; init; }

    /// <summary>The class.</summary>
    public required string ClassKey { get; init; }

    /// <summary>Why.</summary>
    public string? Reason { get; init; }
}

/// <summary>A voucher's training was completed: parts passed, certificate recorded, attendance met (R14, R15).</summary>
public sealed record VoucherCompleted : VoucherEvent
{
    /// <summary>The class.</summary>
    public required string ClassKey { get; init; }

    /// <summary>The certificate number.</summary>
    public required string CertificateNumber { get; init; }

    /// <summary>The attendance rate.</summary>
    public int AttendancePercent { get; init; }
}

/// <summary>An institution claimed the subsidy of its part (R16).</summary>
public sealed record SettlementClaimed : VoucherEvent
{
    /// <summary>The part.</summary>
    public TrainingPart Part { get; init; }

    /// <summary>The claiming institution.</summary>
    public required string InstitutionId { get; init; }

    /// <summary>The amount claimed.</summary>
    public long AmountFen { get; init; }
}

/// <summary>The authority approved a part's subsidy; with the last part the voucher is settled (R17).</summary>
public sealed record SettlementApproved : VoucherEvent
{
    /// <summary>The part.</summary>
    public TrainingPart Part { get; init; }

    /// <summary>The institution paid, or on whose claim the worker or enterprise is paid.</summary>
    public required string InstitutionId { get; init; }

    /// <summary>The amount approved.</summary>
    public long AmountFen { get; init; }
}

/// <summary>The authority rejected a part's settlement claim.</summary>
public sealed record SettlementRejected : VoucherEvent
{
    /// <summary>The part.</summary>
    public TrainingPart Part { get; init; }

    /// <summary>The claiming institution.</summary>
    public required string InstitutionId { get; init; }

    /// <summary>The amount that was claimed.</summary>
    public long AmountFen { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}

/// <summary>The authority revoked a voucher.</summary>
public sealed record VoucherRevoked : VoucherEvent
{
    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}

/// <summary>A campaign was created as a draft.</summary>
public sealed record CampaignCreated : DomainEvent
{
    /// <summary>The campaign.</summary>
    public required string CampaignId { get; init; }

    /// <summary>Its design.</summary>
    public required CampaignDefinition Definition { get; init; }
}

/// <summary>A draft campaign was changed.</summary>
public sealed record CampaignUpdated : DomainEvent
{
    /// <summary>The campaign.</summary>
    public required string CampaignId { get; init; }

    /// <summary>Its new design.</summary>
    public required CampaignDefinition Definition { get; init; }
}

/// <summary>A campaign opened; a general campaign puts its stock out to its targeted population.</summary>
public sealed record CampaignOpened : DomainEvent
{
    /// <summary>The campaign.</summary>
    public required string CampaignId { get; init; }

    /// <summary>General or directed.</summary>
    public IssuanceMode IssuanceMode { get; init; }

    /// <summary>Face value, credit or check-in only.</summary>
    public ValueMode ValueMode { get; init; }

    /// <summary>The quantity offered (the quantity cap).</summary>
    public int OfferedQuantity { get; init; }

    /// <summary>The policy its vouchers are issued under.</summary>
    public required RegionPolicy Policy { get; init; }
}

/// <summary>A campaign closed.</summary>
public sealed record CampaignClosed : DomainEvent
{
    /// <summary>The campaign.</summary>
    public required string CampaignId { get; init; }

    /// <summary>Why.</summary>
    public string? Reason { get; init; }
}

/// <summary>A campaign handed a block of stock and budget to one of its issuers (R5).</summary>
public sealed record StockAllocated : DomainEvent
{
    /// <summary>The campaign.</summary>
    public required string CampaignId { get; init; }

    /// <summary>The issuer.</summary>
    public int IssuerIndex { get; init; }

    /// <summary>Vouchers in the block.</summary>
    public int Quantity { get; init; }

    /// <summary>Budget in the block.</summary>
    public long BudgetFen { get; init; }
}

/// <summary>An institution submitted a roster for a directed campaign.</summary>
public sealed record RosterSubmitted : DomainEvent
{
    /// <summary>The roster.</summary>
    public required string RosterId { get; init; }

    /// <summary>The submitting institution.</summary>
    public required string InstitutionId { get; init; }

    /// <summary>How many trainees it lists.</summary>
    public int Entries { get; init; }
}

/// <summary>The authority approved or rejected a roster.</summary>
public sealed record RosterDecided : DomainEvent
{
    /// <summary>The roster.</summary>
    public required string RosterId { get; init; }

    /// <summary>Approved or rejected.</summary>
    public RosterStatus Status { get; init; }

    /// <summary>Why it was rejected.</summary>
    public string? Reason { get; init; }
}

/// <summary>An institution was listed, or its listing changed (R2).</summary>
public sealed record InstitutionListed : DomainEvent
{
    /// <summary>The institution.</summary>
    public required string InstitutionId { get; init; }

    /// <summary>Its listing.</summary>
    public required InstitutionListing Listing { get; init; }
}

/// <summary>An institution was suspended, reinstated or removed (R3).</summary>
public sealed record InstitutionStatusChanged : DomainEvent
{
    /// <summary>The institution.</summary>
    public required string InstitutionId { get; init; }

    /// <summary>Its new status.</summary>
    public InstitutionStatus Status { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}

/// <summary>A strike was recorded against an institution (R3).</summary>
public sealed record StrikeRecorded : DomainEvent
{
    /// <summary>The institution.</summary>
    public required string InstitutionId { get; init; }

    /// <summary>The kind of strike.</summary>
    public StrikeKind Kind { get; init; }

    /// <summary>What happened.</summary>
    public required string Reason { get; init; }
}

/// <summary>An institution registered a class (R12).</summary>
public sealed record ClassRegistered : DomainEvent
{
    /// <summary>The class.</summary>
    public required string ClassKey { get; init; }

    /// <summary>The occupation trained.</summary>
    public required string OccupationCode { get; init; }

    /// <summary>When it starts.</summary>
    public DateTimeOffset StartsAt { get; init; }
}

/// <summary>A trainee checked in to a session, or an online platform reported a completed online session (R13).</summary>
public sealed record TraineeCheckedIn : DomainEvent
{
    /// <summary>The class.</summary>
    public required string ClassKey { get; init; }

    /// <summary>The trainee.</summary>
    public required string CitizenId { get; init; }

    /// <summary>The trainee's voucher.</summary>
    public required string VoucherCode { get; init; }

    /// <summary>The session.</summary>
    public int Session { get; init; }

    /// <summary>How.</summary>
    public CheckInMethod Method { get; init; }

    /// <summary>The reported position, for a location check-in.</summary>
    public GeoPoint? Position { get; init; }

    /// <summary>Anomalies flagged.</summary>
    public IReadOnlyList<AnomalyKind> Flags { get; init; } = [];

    /// <summary>Whether the check-in counts toward attendance (a repeat does not count twice).</summary>
    public bool Counted { get; init; }
}

/// <summary>An assessment result was recorded for a trainee.</summary>
public sealed record ResultRecorded : DomainEvent
{
    /// <summary>The class.</summary>
    public required string ClassKey { get; init; }

    /// <summary>The trainee.</summary>
    public required string CitizenId { get; init; }

    /// <summary>The trainee's voucher.</summary>
    public required string VoucherCode { get; init; }

    /// <summary>The part assessed.</summary>
    public TrainingPart Part { get; init; }

    /// <summary>Whether it was passed.</summary>
    public bool Passed { get; init; }

    /// <summary>The certificate number.</summary>
    public string? CertificateNumber { get; init; }
}

/// <summary>A trainee rated a course, or an institution a trainee (R20).</summary>
public sealed record EvaluationSubmitted : DomainEvent
{
    /// <summary>The class.</summary>
    public required string ClassKey { get; init; }

    /// <summary>The trainee.</summary>
    public required string CitizenId { get; init; }

    /// <summary>True when the trainee rated the course; false when the institution rated the trainee.</summary>
    public bool ByTrainee { get; init; }

    /// <summary>1 to 5.</summary>
    public int Score { get; init; }

    /// <summary>Words.</summary>
    public string? Comment { get; init; }
}

/// <summary>A region's policy was set.</summary>
public sealed record RegionPolicyChanged : DomainEvent
{
    /// <summary>The region.</summary>
    public required string RegionCode { get; init; }

    /// <summary>The new policy.</summary>
    public required RegionPolicy Policy { get; init; }
}

/// <summary>A region's occupation catalogue for a year changed (R1).</summary>
public sealed record CatalogueChanged : DomainEvent
{
    /// <summary>The region.</summary>
    public required string RegionCode { get; init; }

    /// <summary>The year.</summary>
    public int Year { get; init; }

    /// <summary>The codes added or replaced.</summary>
    public IReadOnlyList<string> Upserted { get; init; } = [];

    /// <summary>The codes removed.</summary>
    public IReadOnlyList<string> Removed { get; init; } = [];
}

/// <summary>A worker was registered or their attributes replaced.</summary>
public sealed record WorkerRegistered : DomainEvent
{
    /// <summary>The worker.</summary>
    public required string CitizenId { get; init; }

    /// <summary>The attributes.</summary>
    public required WorkerAttributes Attributes { get; init; }
}

/// <summary>
/// The vouchers one bulk issuance batch brought into being, announced once on the campaign's stream
/// (the campaign's statistics fold each of them as if announced alone); each voucher's own event also
/// goes to its worker's stream. A batch is of one campaign, so of one issuance mode: directed vouchers
/// are issued, general ones claimed.
/// </summary>
public sealed record VouchersIssuedInBulk : DomainEvent
{
    /// <summary>The campaign.</summary>
    public required string CampaignId { get; init; }

    /// <summary>The directed vouchers issued.</summary>
    public IReadOnlyList<VoucherIssued> Issued { get; init; } = [];

    /// <summary>The general vouchers claimed.</summary>
    public IReadOnlyList<VoucherClaimed> Claimed { get; init; } = [];
}
