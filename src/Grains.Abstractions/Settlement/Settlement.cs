using OrleansVoucher.Grains.Classes;

namespace OrleansVoucher.Grains.Settlement;

/// <summary>Who receives a subsidy (R16).</summary>
public enum PaymentTarget
{
    /// <summary>The training institution.</summary>
    Institution,

    /// <summary>The worker, to the bank account of their social-security card.</summary>
    Individual,

    /// <summary>The worker's enterprise.</summary>
    Enterprise,
}

/// <summary>Where a settlement claim stands.</summary>
public enum SettlementStatus
{
    /// <summary>Claimed, awaiting the issuing authority's decision.</summary>
    Claimed,

    /// <summary>Approved and paid.</summary>
    Approved,

    /// <summary>Rejected with a reason; the institution may claim again.</summary>
    Rejected,
}

/// <summary>An institution's claim for the subsidy of its part of a completed voucher.</summary>
/// <param name="VoucherCode">The voucher.</param>
/// <param name="Part">The part: the whole training, or the online or offline part when two institutions shared it (R15).</param>
/// <param name="PaymentTarget">Who is to be paid.</param>
public sealed record SettlementRequest(string VoucherCode, TrainingPart Part, PaymentTarget PaymentTarget = PaymentTarget.Institution);

/// <summary>One part's settlement.</summary>
/// <param name="Part">The part.</param>
/// <param name="InstitutionId">The institution settling it.</param>
/// <param name="AmountFen">The amount: standard × the worker's ratio, capped by the face value, shared between parts by hours (R16).</param>
/// <param name="Status">Where it stands.</param>
/// <param name="PaymentTarget">Who is paid.</param>
/// <param name="Reason">Why it was rejected.</param>
/// <param name="ClaimedAt">When it was claimed.</param>
/// <param name="DecidedAt">When it was approved or rejected.</param>
public sealed record SettlementPartView(
    TrainingPart Part,
    string InstitutionId,
    long AmountFen,
    SettlementStatus Status,
    PaymentTarget PaymentTarget,
    string? Reason,
    DateTimeOffset ClaimedAt,
    DateTimeOffset? DecidedAt);
