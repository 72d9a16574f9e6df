using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Settlement;

namespace OrleansVoucher.Grains.Vouchers;

/// <summary>What the engine keeps of a voucher. <see cref="VoucherStatus.Expired"/> is never stored.</summary>
internal sealed class VoucherState : ICopyableState<VoucherState>
{
    public string CampaignId { get; set; } = "";

    public string RegionCode { get; set; } = "";

    public string CitizenId { get; set; } = "";

    public ValueMode ValueMode { get; set; }

    public IssuanceMode IssuanceMode { get; set; }

    public Tier Tier { get; set; }

    public long AmountFen { get; set; }

    /// <summary>The occupation fixed at issuance (directed, or a campaign naming one); null when free.</summary>
    public string? BoundOccupation { get; set; }

    /// <summary>The occupation being trained, once activated.</summary>
    public string? OccupationCode { get; set; }

    public SkillLevel? Level { get; set; }

    /// <summary>The skill level of the class it is activated for, which sets its subsidy standard (R16); null when not activated or the class has none.</summary>
    public SkillLevel? ClassLevel { get; set; }

    /// <summary>The catalogue's standard for the occupation and level it was activated for, as it stood then (R16).</summary>
    public long? EnrolledStandardFen { get; set; }

    /// <summary>The catalogue's group uplifts for that occupation as they stood then; null when none (R16).</summary>
    public List<GroupUplift>? EnrolledUplifts { get; set; }

    /// <summary>The institution whose roster issued a directed voucher.</summary>
    public string? BoundInstitution { get; set; }

    public string? RosterId { get; set; }

    public string? InstitutionId { get; set; }

    public string? ClassKey { get; set; }

    public DateTimeOffset? ClassStartsAt { get; set; }

    public VoucherStatus Status { get; set; }

    /// <summary>The deadline while the voucher is live (issued, claimed or activated).</summary>
    public DateTimeOffset? Deadline { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public DateTimeOffset? ClaimedAt { get; set; }

    public DateTimeOffset? ActivatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? SettledAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public int? SlotYear { get; set; }

    public RegionPolicy Policy { get; set; } = new();

    public int CatalogueYear { get; set; }

    public int SubsidyRatioPercent { get; set; } = 100;

    public DateTimeOffset ClaimClosesAt { get; set; }

    public string? CertificateNumber { get; set; }

    public int? AttendancePercent { get; set; }

    public List<PartState> Parts { get; set; } = [];

    public string? RevocationReason { get; set; }

    /// <summary>The status as of <paramref name="now"/>: a live voucher past its deadline is expired (R9).</summary>
    public VoucherStatus EffectiveStatus(DateTimeOffset now) =>
        Status is VoucherStatus.Issued or VoucherStatus.Claimed or VoucherStatus.Activated && Deadline <= now
            ? VoucherStatus.Expired
            : Status;

    /// <summary>
    /// A draft without a serialization round trip, as every activation changes this state. The policy is
    /// an immutable record, so it is shared; the parts are changed in place by settlement, so each is copied.
    /// </summary>
    public VoucherState Copy()
    {
        var copy = (VoucherState)MemberwiseClone();
        copy.Parts = Parts.ConvertAll(p => p.Copy());
        return copy;
    }
}

/// <summary>The settlement of one part of a completed voucher.</summary>
internal sealed class PartState
{
    public TrainingPart Part { get; set; }

    public string InstitutionId { get; set; } = "";

    public long AmountFen { get; set; }

    /// <summary>Null until claimed.</summary>
    public SettlementStatus? Status { get; set; }

    public PaymentTarget PaymentTarget { get; set; }

    public string? Reason { get; set; }

    public DateTimeOffset? ClaimedAt { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public PartState Copy() => (PartState)MemberwiseClone();

    public SettlementPartView ToView() =>
        new(Part, InstitutionId, AmountFen, Status ?? SettlementStatus.Rejected, PaymentTarget, Reason, ClaimedAt ?? default, DecidedAt);
}

/// <summary>Deadlines under a region's validity policy (R9).</summary>
internal static class Deadlines
{
    /// <summary>The deadline of a voucher issued (or, for a general voucher, claimed) at <paramref name="now"/> in <paramref name="status"/>.</summary>
    public static DateTimeOffset AtIssue(ValidityPolicy validity, VoucherStatus status, DateTimeOffset now, DateTimeOffset claimClosesAt) => validity.Mode switch
    {
        ValidityMode.SingleDeadline => ChinaTime.EndOfDayMonthsAfter(now, validity.ValidMonths),
        _ when status == VoucherStatus.Issued => claimClosesAt,
        _ => ChinaTime.EndOfDayMonthsAfter(now, validity.ActivateWithinMonths),
    };

    /// <summary>The deadline once a directed voucher is claimed at <paramref name="now"/>.</summary>
    public static DateTimeOffset AtClaim(ValidityPolicy validity, DateTimeOffset current, DateTimeOffset now) =>
        validity.Mode == ValidityMode.SingleDeadline ? current : ChinaTime.EndOfDayMonthsAfter(now, validity.ActivateWithinMonths);

    /// <summary>The deadline once activated at <paramref name="now"/>.</summary>
    public static DateTimeOffset AtActivation(ValidityPolicy validity, DateTimeOffset current, DateTimeOffset now) =>
        validity.Mode == ValidityMode.SingleDeadline ? current : ChinaTime.EndOfDayMonthsAfter(now, validity.UseWithinMonths);

    /// <summary>The deadline once an activation is rolled back.</summary>
    public static DateTimeOffset AtRollback(ValidityPolicy validity, DateTimeOffset current, DateTimeOffset claimedAt) =>
        validity.Mode == ValidityMode.SingleDeadline ? current : ChinaTime.EndOfDayMonthsAfter(claimedAt, validity.ActivateWithinMonths);
}
